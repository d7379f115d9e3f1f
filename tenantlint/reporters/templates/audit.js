(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim();
  }
  function sortTable(table, header, index) {
    var numeric = header.getAttribute("data-type") === "num";
    var direction = header.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var headers = table.tHead.rows[0].cells;
    for (var h = 0; h < headers.length; h++) { headers[h].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index);
      var y = cellValue(b, index);
      var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0)
        : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      return d * direction;
    });
    for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
  }
  function filterTable(table, query, counter) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var text = rows[r].textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      rows[r].hidden = !match;
      if (match) { shown++; }
    }
    if (counter) {
      counter.textContent = words.length ? shown + " of " + rows.length + " rows" : "";
    }
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (header, index) {
      var button = header.querySelector("button.sort");
      if (button) {
        button.addEventListener("click", function () { sortTable(table, header, index); });
      }
    });
  });
  var inputs = document.querySelectorAll("input.filter");
  Array.prototype.forEach.call(inputs, function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var counter = document.getElementById(input.getAttribute("data-table") + "-count");
    if (!table) { return; }
    input.hidden = false;
    input.addEventListener("input", function () { filterTable(table, input.value, counter); });
  });
  document.documentElement.setAttribute("data-ready", "1");
}());
