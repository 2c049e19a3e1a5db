// storydiff pages: link aligned pieces across the two columns; sort tables; size share bars.
// Loaded on every page; no dependencies, and no inline script anywhere (the CSP forbids it).
(function () {
  function counterparts(el) {
    var ids = (el.getAttribute("data-links") || "").split(" ").filter(Boolean);
    var found = [];
    ids.forEach(function (id) {
      document.querySelectorAll('[data-links~="' + id + '"]').forEach(function (other) { found.push(other); });
    });
    return found;
  }
  function light(el, on) {
    counterparts(el).forEach(function (other) {
      other.classList.toggle("lit", on);
      if (on && other.closest(".col") !== el.closest(".col")) {
        other.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    });
  }
  // Share bars: the width comes from data-share, as the CSP allows no inline style.
  document.querySelectorAll(".bar[data-share]").forEach(function (el) {
    el.style.setProperty("--share", el.getAttribute("data-share"));
  });
  document.querySelectorAll("[data-links]").forEach(function (el) {
    el.addEventListener("mouseenter", function () { light(el, true); });
    el.addEventListener("mouseleave", function () { light(el, false); });
    el.addEventListener("focus", function () { light(el, true); });
    el.addEventListener("blur", function () { light(el, false); });
  });
  document.querySelectorAll("table.sortable th button[data-sort]").forEach(function (button, column) {
    var ascending = false;
    button.addEventListener("click", function () {
      var table = button.closest("table");
      var index = Array.prototype.indexOf.call(button.closest("tr").children, button.closest("th"));
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var numeric = button.getAttribute("data-sort") === "number";
      ascending = !ascending;
      rows.sort(function (r1, r2) {
        var c1 = r1.cells[index], c2 = r2.cells[index];
        var v1 = numeric ? parseFloat(c1.getAttribute("data-value")) : c1.textContent.trim();
        var v2 = numeric ? parseFloat(c2.getAttribute("data-value")) : c2.textContent.trim();
        var order = numeric ? v1 - v2 : v1.localeCompare(v2);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    });
  });
})();
