/* Search and sort for a long table (templates/table_tools.html.j2), inside the page itself:
   no library and nothing loaded, so it works offline, from file://.

   Each p.table-search names its table (aria-controls). It stands hidden in the HTML: read
   without JavaScript, the page shows the whole table and no box that does nothing. The
   headers marked data-sort ("text" or "number") become buttons; data-search marks the
   columns the box searches. Rows are only moved and hidden: no markup is ever made from the
   page's data.

   A cell is sorted by its data-key, or else by its first line (a status or a note under a
   figure is not). In a number column, a cell without a number (a figure hidden for privacy,
   "–") is not ranked: it stays after every ranked row, in the table's own order, whichever
   way the column is sorted, so its place says nothing about the hidden figure. */
(() => {
  "use strict";
  const collator = new Intl.Collator("da", { numeric: true });
  const DANISH_NUMBER = /^-?\d{1,3}(\.\d{3})*(,\d+)?( %)?$/; // 1.234,5 and 21,5 %
  const count = (n) => n.toLocaleString("da-DK");

  function firstLine(cell) {
    if (cell.hasAttribute("data-key")) return cell.getAttribute("data-key");
    for (const node of cell.childNodes) {
      const text = node.textContent.trim();
      if (text) return text;
    }
    return "";
  }

  function key(cell, numeric) {
    const text = firstLine(cell);
    if (!numeric) return text || null;
    if (!DANISH_NUMBER.test(text)) return null;
    return Number(text.replace(" %", "").replaceAll(".", "").replace(",", "."));
  }

  function enhance(box) {
    const input = box.querySelector("input");
    const table = document.getElementById(input.getAttribute("aria-controls"));
    if (!table || table.dataset.ready) return; // later in the page, or done by another copy
    table.dataset.ready = "yes";
    const shown = box.querySelector(".table-count");
    const body = table.tBodies[0];
    const headers = Array.from(table.tHead.rows[0].cells);
    const searched = headers.filter((th) => th.hasAttribute("data-search"));
    const rows = Array.from(body.rows, (row, order) => ({
      row,
      order,
      text: searched
        .map((th) => row.cells[th.cellIndex].textContent)
        .join(" ")
        .toLocaleLowerCase("da"),
    }));
    let sorted = "";

    function say() {
      const visible = rows.filter((r) => !r.row.hidden).length;
      shown.textContent = `Viser ${count(visible)} af ${count(rows.length)} rækker${sorted}.`;
    }

    function filter() {
      const words = input.value.toLocaleLowerCase("da").split(/\s+/).filter(Boolean);
      for (const r of rows) {
        const hide = !words.every((word) => r.text.includes(word));
        if (r.row.hidden !== hide) r.row.hidden = hide;
      }
      say();
    }

    function sort(th, descending) {
      const numeric = th.dataset.sort === "number";
      const keyed = rows.map((r) => ({ ...r, key: key(r.row.cells[th.cellIndex], numeric) }));
      keyed.sort((a, b) => {
        if (a.key === null || b.key === null) {
          return (a.key === null) - (b.key === null) || a.order - b.order;
        }
        const order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
        return (descending ? -order : order) || a.order - b.order;
      });
      body.append(...keyed.map((k) => k.row));
      for (const other of headers) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const way = numeric
        ? (descending ? "højeste først" : "laveste først")
        : (descending ? "Å–A" : "A–Å");
      sorted = `, sorteret efter ${th.textContent.trim()} (${way})`;
      say();
    }

    for (const th of headers.filter((h) => h.dataset.sort)) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.append(...Array.from(th.childNodes));
      th.append(button);
      button.addEventListener("click", () => sort(th, th.getAttribute("aria-sort") === "ascending"));
    }
    input.addEventListener("input", filter);
    box.hidden = false;
    filter(); // a value the browser kept from an earlier visit
  }

  document.querySelectorAll(".table-search").forEach(enhance);
})();
