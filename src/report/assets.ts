/**
 * The report's one stylesheet and one script, inlined into report.html. Both are constants, so the
 * page's Content-Security-Policy can allow exactly them by hash (see html.ts) and nothing else.
 */

// Column widths in whole percent (col.p1 … col.p100): the tables use a fixed layout, which is what
// keeps a 10k-row table fast to lay out, and the policy forbids style attributes.
const COLUMN_WIDTHS = Array.from({ length: 100 }, (_, i) => `col.p${i + 1}{width:${i + 1}%}`).join('');

export const REPORT_CSS = `${COLUMN_WIDTHS}
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--alt:#f6f8fa;--bg:#fff;
--crit:#7a0916;--red:#b42318;--amber:#b54708;--green:#067647;--blue:#175cd3;--grey:#667085}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
header,main{max-width:1440px;margin:0 auto;padding:0 20px}
header{padding-top:16px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:16px 0 6px}
p,dl,ul,ol{margin:6px 0}
.meta{color:var(--muted);margin:0 0 8px}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;padding:8px 0 12px}
nav a{color:var(--blue);text-decoration:none}
a{color:var(--blue)}
code,.mono,td.m{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
.ctl{color:#fff;background:var(--amber);border-radius:2px;padding:0 2px;font-family:ui-monospace,monospace;font-size:11px}
.cut{color:var(--muted);font-style:italic}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;background:var(--grey);max-width:100%;overflow-wrap:anywhere}
.b-critical,.b-open,.b-not_done{background:var(--crit)}
.b-high,.b-anomalous{background:var(--red)}
.b-medium,.b-unattested{background:var(--amber)}
.b-low,.b-unknown{background:var(--grey)}
.b-info{background:var(--blue)}
.b-attested,.b-contained,.b-done{background:var(--green)}
.b-inferred{background:var(--blue)}
.status{font-size:16px;margin:8px 0}
dl.kv{display:grid;grid-template-columns:minmax(120px,max-content) minmax(0,1fr);gap:4px 16px}
dl.kv dt{font-weight:600;color:var(--muted)}
dl.kv dd{margin:0;min-width:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:8px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 10px;min-width:0}
.card,a.card{color:inherit;text-decoration:none}
table.bounds{width:auto;min-width:min(480px,100%);margin:6px 0}
table.bounds th{font-weight:600;color:var(--muted);padding-right:16px}
.card b{display:block;font-size:20px}
.card span{color:var(--muted);font-size:12px}
ul.plain{list-style:none;padding:0}
ul.ev{list-style:none;padding:0;margin:0}
ul.ev li{margin:0 0 2px}
.controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:6px 0}
.controls input{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:4px;width:min(360px,100%)}
.controls output{color:var(--muted)}
.controls button,.controls select{font:inherit;padding:2px 8px;border:1px solid var(--line);border-radius:4px;background:var(--bg);cursor:pointer}
.controls button:disabled{opacity:.4;cursor:default}
html:not(.js) .pager{display:none}
html.js tr.off{display:none}
.scroll{max-height:75vh;overflow:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%}
table.data{table-layout:fixed;font-size:12.5px}
th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid var(--line);
overflow-wrap:anywhere;word-break:break-word;unicode-bidi:isolate}
thead th{position:sticky;top:0;background:var(--alt);z-index:1;font-size:12px}
th button{all:unset;cursor:pointer;display:block;width:100%;font-weight:600}
th button:focus-visible{outline:2px solid var(--blue)}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}

tbody tr.sev-critical,tbody tr.sev-high{background:#fef3f2}
.empty{color:var(--muted);font-style:italic}
figure{margin:8px 0}
svg.chart{width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px}
svg.sw{display:inline-block;vertical-align:middle;margin:0 4px 0 10px}
figcaption{color:var(--muted);font-size:12px}
svg text{font:11px system-ui,sans-serif;fill:var(--fg)}
svg .axis{stroke:var(--line)}
svg .lane{fill:var(--alt)}
svg .win{fill:#fde7c7;stroke:#f5b44a}
svg .win-open{fill:#fdf1e0;stroke:#f5b44a;stroke-dasharray:6 4}
svg .bound{stroke:var(--fg);stroke-dasharray:3 3}
svg .v-attested{fill:var(--green)}
svg .v-unattested{fill:var(--amber)}
svg .v-anomalous,svg .v-unknown{fill:var(--red)}
svg .k-key{fill:var(--blue)}
svg .k-secret{fill:#6941c6}
svg .k-ci{fill:var(--grey)}
svg .s-critical{fill:var(--crit);stroke:#fff}
svg .s-high{fill:var(--red);stroke:#fff}
svg .s-medium{fill:var(--amber);stroke:#fff}
svg .s-low,svg .s-info,svg .s-unknown{fill:var(--grey);stroke:#fff}
svg .hl{stroke:var(--red);stroke-width:1;opacity:.5}
.check{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:8px 0}
.check h3{margin:0 0 4px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.check .rule{color:var(--muted);font-size:12px}
@media print{
@page{size:A4 landscape;margin:10mm}
body{font-size:9pt}
header,main{max-width:none;padding:0}
nav,.controls,.noprint{display:none!important}
html.js tr.off:not([hidden]){display:table-row}
.scroll{max-height:none;overflow:visible;border:0}
thead th{position:static}
thead{display:table-header-group}
tr,.check,figure,.card{break-inside:avoid}
h2,h3{break-after:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}
}
`;

/** Rows per page in tables longer than this (see REPORT_JS). */
export const PAGE_SIZE = 100;

/**
 * Sorting, filtering and paging for every `table[data-sortable]`. It runs in <head>: its first act
 * marks the page as scripted, so rows past the first page (class `off`) are never laid out while
 * a 10k-row table is parsed — laying out every row is what made such a page take 20 s to open.
 * Without the script every row shows. It only moves rows and toggles classes and `hidden`; it
 * never builds markup (the policy forbids it too: Trusted Types with no policy).
 */
export const REPORT_JS = `
'use strict';
document.documentElement.classList.add('js');
document.addEventListener('DOMContentLoaded', function () {
  function setup(table) {
    var body = table.tBodies[0];
    if (!body) return;
    var items = Array.prototype.map.call(body.rows, function (row, i) { return { row: row, i: i, text: null, hit: true }; });
    var total = items.length;
    var size = ${PAGE_SIZE};
    var page = 0;
    var q = '';
    var box = document.querySelector('[data-controls-for="' + table.id + '"]');
    var count = box && box.querySelector('output');
    var input = box && box.querySelector('input[type=search]');
    var prev = box && box.querySelector('button[data-page=prev]');
    var next = box && box.querySelector('button[data-page=next]');
    var select = box && box.querySelector('select');
    function fmt(n) { return n.toLocaleString('en-US'); }
    function render() {
      var matched = 0;
      for (var i = 0; i < items.length; i++) if (items[i].hit) matched++;
      var pages = size > 0 ? Math.max(1, Math.ceil(matched / size)) : 1;
      if (page >= pages) page = pages - 1;
      var first = size > 0 ? page * size : 0;
      var last = size > 0 ? first + size : matched;
      var k = 0;
      for (var j = 0; j < items.length; j++) {
        var it = items[j];
        if (it.row.hidden === it.hit) it.row.hidden = !it.hit;
        var on = it.hit && k >= first && k < last;
        if (it.hit) k++;
        if (it.row.classList.contains('off') === on) it.row.classList.toggle('off', !on);
      }
      if (count) {
        var shown = matched === 0 ? 'no rows' : 'rows ' + fmt(Math.min(first + 1, matched)) + '\u2013' + fmt(Math.min(last, matched));
        count.textContent = shown + ' of ' + fmt(matched) + (matched === total ? '' : ' matching (' + fmt(total) + ' in all)');
      }
      if (prev) prev.disabled = page === 0;
      if (next) next.disabled = page >= pages - 1;
    }
    if (input) {
      var pending = 0;
      input.addEventListener('input', function () {
        clearTimeout(pending);
        pending = setTimeout(function () {
          q = input.value.trim().toLowerCase();
          for (var i = 0; i < items.length; i++) {
            var it = items[i];
            if (q !== '' && it.text === null) it.text = it.row.textContent.toLowerCase();
            it.hit = q === '' || it.text.indexOf(q) !== -1;
          }
          page = 0;
          render();
        }, total > 2000 ? 150 : 0);
      });
    }
    if (prev) prev.addEventListener('click', function () { page = Math.max(0, page - 1); render(); });
    if (next) next.addEventListener('click', function () { page++; render(); });
    if (select) select.addEventListener('change', function () { size = parseInt(select.value, 10) || 0; page = 0; render(); });
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      var numeric = button.getAttribute('data-type') === 'num';
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { if (h.hasAttribute('aria-sort')) h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var keyed = items.map(function (it) {
          var cell = it.row.cells[col];
          var v = cell ? (cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent) : '';
          var k = numeric ? parseFloat(v) : v.trim().toLowerCase();
          return { it: it, k: k, missing: numeric ? isNaN(k) : k === '' };
        });
        keyed.sort(function (a, b) {
          if (a.missing !== b.missing) return a.missing ? 1 : -1;
          if (a.k < b.k) return -dir;
          if (a.k > b.k) return dir;
          return a.it.i - b.it.i;
        });
        var frag = document.createDocumentFragment();
        items = keyed.map(function (x) { frag.appendChild(x.it.row); return x.it; });
        body.appendChild(frag);
        page = 0;
        render();
      });
    });
    render();
  }
  Array.prototype.forEach.call(document.querySelectorAll('table[data-sortable]'), setup);
  document.documentElement.setAttribute('data-ready', '1');
});
`;
