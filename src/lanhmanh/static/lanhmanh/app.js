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
