// Lành Mạnh: small behaviours wired by data attributes (no inline script, CSP-safe).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form && el.form.requestSubmit());
  });
  document.querySelectorAll("[data-print]").forEach((el) => {
    el.addEventListener("click", () => window.print());
  });
});

// Long choices are searchable (Tom Select, vendored, works offline): a select with many options, or one
// that allows several, gets type-ahead; accents may be left out ("ha noi" finds "Hà Nội").
// Opt out with data-plain-select; opt in for a short list with data-searchable.
(() => {
  const LONG = 12;
  const fold = (text) =>
    text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase();

  function enhance(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select").forEach((select) => {
      if (select.tomselect || select.hasAttribute("data-plain-select")) return;
      const long = select.options.length > LONG || select.multiple || select.hasAttribute("data-searchable");
      if (!long) return;
      const control = new window.TomSelect(select, {
        maxOptions: null,
        allowEmptyOption: true,
        hidePlaceholder: false,
        plugins: select.multiple ? ["remove_button"] : [],
        searchField: ["folded"],
        onInitialize() {
          Object.values(this.options).forEach((option) => {
            option.folded = fold(option.text || "");
          });
        },
        score(search) {
          const wanted = fold(search).split(/\s+/).filter(Boolean);
          return (item) => (wanted.every((w) => (item.folded || fold(item.text || "")).includes(w)) ? 1 : 0);
        },
        render: {
          no_results: () => '<div class="no-results">' + (document.documentElement.lang === "en" ? "No match" : "Không tìm thấy") + "</div>",
        },
      });
      control.wrapper.dataset.searchableFor = select.id || select.name;
    });
  }

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));
})();

// Tabs over a long page ([data-tabs] holding [data-tab-pane] sections labelled by data-tab-label): one
// section shows at a time. Without script every section shows, as before; printing shows them all. The tab
// opened is the one the server names (a refused form's), else the one whose form was sent last on this
// page (kept for the visit in sessionStorage), else the first.
(() => {
  function build(container) {
    const panes = [...container.querySelectorAll(":scope > [data-tab-pane]")];
    if (panes.length < 2 || container.dataset.tabsReady) return;
    container.dataset.tabsReady = "1";
    const key = "lanhmanh-tab:" + location.pathname;
    const list = document.createElement("div");
    list.className = "nav nav-tabs mb-3 flex-nowrap overflow-auto d-print-none";
    list.setAttribute("role", "tablist");
    const tabs = panes.map((pane, index) => {
      const id = pane.dataset.tabPane;
      pane.id = pane.id || "muc-" + id;
      pane.setAttribute("role", "tabpanel");
      const tab = document.createElement("button");
      tab.type = "button";
      tab.className = "nav-link text-nowrap";
      tab.id = "tab-" + id;
      tab.textContent = pane.dataset.tabLabel;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", pane.id);
      tab.dataset.tab = id;
      pane.setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", () => show(id));
      pane.querySelectorAll("form").forEach((form) =>
        form.addEventListener("submit", () => sessionStorage.setItem(key, id)),
      );
      list.appendChild(tab);
      return tab;
    });
    function show(id) {
      panes.forEach((pane, i) => {
        const active = pane.dataset.tabPane === id;
        pane.classList.toggle("tab-hidden", !active);
        tabs[i].classList.toggle("active", active);
        tabs[i].setAttribute("aria-selected", active ? "true" : "false");
        tabs[i].tabIndex = active ? 0 : -1;
      });
    }
    container.insertBefore(list, panes[0]);
    const known = (id) => panes.some((pane) => pane.dataset.tabPane === id);
    const wanted = [container.dataset.activeTab, sessionStorage.getItem(key)].find((id) => id && known(id));
    show(wanted || panes[0].dataset.tabPane);
  }
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-tabs]").forEach(build));
})();
