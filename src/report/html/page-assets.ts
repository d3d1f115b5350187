// The report page's own stylesheet and script (inline in every report).
export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header,main,nav{max-width:1200px;margin:0 auto;padding:0 16px}
header h1{font-size:22px;margin:16px 0 8px}
nav{display:flex;gap:16px;padding:8px 16px;position:sticky;top:0;background:#f6f7f9;border-bottom:1px solid #dde1e6;z-index:2}
nav a{color:#2456a6;text-decoration:none}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:16px 0;padding:8px 16px 16px}
h2{font-size:18px;margin:8px 0 12px}h3{font-size:16px;margin:16px 0 8px}h4{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse}th,td{padding:3px 8px;text-align:left;border-bottom:1px solid #eceef1;vertical-align:top}
table.summary th{color:#5b6472;font-weight:600;padding-left:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.changed{color:#9a6700}.failed,.unreachable{color:#cf222e}.skipped{color:#0a6b84}
.dim{color:#6b7380}.none{color:#6b7380;font-style:italic}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:12px;font-weight:600;color:#fff;background:#6b7380}
.badge.ok{background:#1a7f37}.badge.changed{background:#9a6700}.badge.failed,.badge.unreachable{background:#cf222e}.badge.skipped{background:#0a6b84}
.badge.outlier-badge{background:#8250df}
.group{border-left:3px solid #dde1e6;padding:4px 0 4px 10px;margin:6px 0}.group.outlier{border-left-color:#8250df;background:#faf7ff}
.hosts{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
.msg{color:#5b6472}.warning{color:#9a6700;margin:2px 0}
.summary-line{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;margin:4px 0}
.change{margin:4px 0 10px}
pre.plain-diff{background:#f6f8fa;padding:6px;overflow:auto}
body[data-diff-view="unified"] .diff-split,body[data-diff-view="split"] .diff-unified{display:none}
.view-toggle button{border:1px solid #c5cbd3;background:#fff;padding:3px 10px;cursor:pointer}
.view-toggle button[aria-pressed="true"]{background:#2456a6;color:#fff;border-color:#2456a6}
tr.row-failed td{background:#fff1f0}
.halt{background:#fff1f0;border:1px solid #f3c2c0;padding:6px 10px;margin:6px 0;border-radius:4px}
svg.timeline{max-width:100%;height:auto;font-size:12px}
svg.timeline .play-span{fill:#e3e8ef}svg.timeline .batch rect{fill:#4d7cc7}svg.timeline .batch-failed rect{fill:#cf222e}
svg.timeline .batch text{fill:#fff;font-size:11px}svg.timeline .tick{stroke:#eceef1}svg.timeline .tick-label{fill:#6b7380;text-anchor:middle}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{margin:0;flex:1 1 480px}.charts figcaption{font-weight:600;margin-bottom:4px}
`;

export const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var buttons = document.querySelectorAll('.view-toggle button');
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      document.body.setAttribute('data-diff-view', b.getAttribute('data-view'));
      buttons.forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
    });
  });
  var bar = function (id, labels, label, values, colour) {
    var canvas = document.getElementById(id);
    if (!canvas || !values.length) return;
    new Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: colour }] },
      options: { animation: false, responsive: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  };
  bar('latency-chart', data.latency.map(function (b) { return b.label; }), 'events', data.latency.map(function (b) { return b.count; }), '#4d7cc7');
  bar('rss-chart', data.rss.map(function (r) { return r.host; }), 'RSS (MB)', data.rss.map(function (r) { return r.mb; }), '#8250df');
  document.body.setAttribute('data-ready', 'true');
})();
`;
