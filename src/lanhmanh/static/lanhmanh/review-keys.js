// Keyboard shortcuts of the duplicate review (issue #19): s = same person (as grouped), d = all
// different, u = unsure, n = next cluster, 1–9 = split that record off into a person of its own
// (again: back to person 1). Ignored while typing in a field.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.querySelector("[data-cluster-form]");
    if (!form) { return; }
    var selects = form.querySelectorAll("select[data-group]");
    function submit(action) {
      var button = form.querySelector('button[value="' + action + '"]');
      if (button) { button.click(); }
    }
    function split(index) {
      var select = selects[index];
      if (!select) { return; }
      var used = {};
      selects.forEach(function (other) { if (other !== select) { used[other.value] = true; } });
      if (select.value !== "1") { select.value = "1"; } else {
        for (var i = 2; i <= select.options.length; i++) {
          if (!used[String(i)]) { select.value = String(i); break; }
        }
      }
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.closest("[data-person]").classList.toggle("border-warning", select.value !== "1");
    }
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) { return; }
      var key = event.key.toLowerCase();
      if (key === "s") { event.preventDefault(); submit("same"); }
      else if (key === "d") { event.preventDefault(); submit("different"); }
      else if (key === "u") { event.preventDefault(); submit("unsure"); }
      else if (key === "n") {
        var next = document.querySelector("[data-next-cluster]");
        if (next) { event.preventDefault(); window.location.href = next.getAttribute("href"); }
      } else if (/^[1-9]$/.test(key)) { event.preventDefault(); split(Number(key) - 1); }
    });
  });
})();
