// Sorting and filtering for the leaderboard tables. Plain JavaScript, no network, works from file://.
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return { empty: true, num: NaN, text: "" };
    var sort = cell.getAttribute("data-sort");
    var text = sort !== null ? sort : cell.textContent.trim();
    var num = parseFloat(text);
    return { empty: text === "" || text === "–", num: num, text: text.toLowerCase() };
  }

  // Sort a table's body by one column. Numbers compare as numbers, empty cells always go last.
  function sortTable(table, index, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (ra, rb) {
      var a = cellValue(ra, index), b = cellValue(rb, index);
      if (a.empty !== b.empty) return a.empty ? 1 : -1;
      var cmp;
      if (!isNaN(a.num) && !isNaN(b.num) && /^[-+0-9.eE]+$/.test(a.text) && /^[-+0-9.eE]+$/.test(b.text)) {
        cmp = a.num - b.num;
      } else {
        cmp = a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
      }
      return descending ? -cmp : cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      th.classList.add("sort-head");
      th.addEventListener("click", function (ev) {
        if (ev.target.tagName === "A") return; // a link in a header still navigates
        // numbers sort best-first (descending) on the first click, text A-Z
        var numeric = th.getAttribute("data-type") === "number";
        var current = th.getAttribute("aria-sort");
        var descending = current ? current === "ascending" : numeric;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        sortTable(table, index, descending);
      });
    });
  }

  function applyFilters(table) {
    var input = document.querySelector('[data-filter-table="' + table.id + '"]');
    var toggle = document.querySelector('[data-toggle-differ="' + table.id + '"]');
    var needle = input ? input.value.trim().toLowerCase() : "";
    var onlyDiffer = toggle ? toggle.checked : false;
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var ok = (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0) &&
               (!onlyDiffer || row.getAttribute("data-differs") === "1");
      row.style.display = ok ? "" : "none";
      if (ok) shown += 1;
    });
    var count = document.getElementById("shown-count");
    if (count && table.id === "samples") count.textContent = shown + " of " + table.tBodies[0].rows.length + " shown";
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-table], [data-toggle-differ]"), function (el) {
      var id = el.getAttribute("data-filter-table") || el.getAttribute("data-toggle-differ");
      var table = document.getElementById(id);
      if (!table) return;
      el.addEventListener("input", function () { applyFilters(table); });
      el.addEventListener("change", function () { applyFilters(table); });
      applyFilters(table);
    });
  });
})();
