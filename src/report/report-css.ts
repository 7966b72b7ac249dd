/** The report's stylesheet: inlined and allowed by its hash, like the script. */
export const REPORT_CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--head:#f3f5f9;--pass:#17702f;--fail:#b3261e;--err:#8a4b00;--accent:#2f5bd3}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:var(--fg);background:#fff}
header{padding:18px 24px 10px;border-bottom:1px solid var(--line);background:#fafbfd}
main{padding:0 24px 40px}
h1{font-size:20px;margin:0 0 4px;overflow-wrap:break-word}h2{font-size:16px;margin:28px 0 8px}h3{font-size:14px;margin:16px 0 6px}
nav{display:flex;flex-wrap:wrap;gap:2px 14px}nav a{color:var(--accent);text-decoration:none;white-space:nowrap}
.muted{color:var(--muted)}
.sim{display:inline-block;background:#fff3cd;color:#7a5a00;border:1px solid #e6c860;border-radius:4px;padding:1px 8px;font-weight:600;font-size:12px}
.live{display:inline-block;background:#e7f0ff;color:#1d4ea8;border:1px solid #9bb8ec;border-radius:4px;padding:1px 8px;font-weight:600;font-size:12px}
.scroll{max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch}
.name{white-space:nowrap}
th{overflow-wrap:normal;word-break:normal;hyphens:none}
.decision{border:1px solid #b9c9f2;background:#f5f8ff;border-radius:8px;padding:2px 16px 6px;margin-top:18px}
.decision h2{margin-top:12px}.decision p{margin:6px 0}
#recommendation{font-size:16px}
.pick{display:inline-block;background:#e3f4e8;color:var(--pass);border:1px solid #9fd3ad;border-radius:4px;padding:0 6px;font-weight:600;font-size:12px;white-space:nowrap}
table.sortable th[data-sort]{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
table.sortable th[aria-sort=descending]::after{content:" ▼";font-size:10px}
.legend{display:flex;align-items:center;gap:8px;font-size:12px;color:var(--muted);margin:4px 0}
.legend .ramp{display:inline-block;width:160px;height:10px;border-radius:3px;background:linear-gradient(90deg,hsl(8,75%,52%),hsl(45,90%,60%),hsl(130,55%,38%))}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600;position:sticky;top:0;z-index:1}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.regression td{background:#fdecea}tr.improvement td{background:#e9f7ee}
.ci{stroke:#7d8799;stroke-width:2}.cibar .track{stroke:#e2e5eb;stroke-width:6;stroke-linecap:round}.cibar .range{stroke:#8fb0f0;stroke-width:6;stroke-linecap:round}.cibar .dot{fill:var(--accent)}
.charts{display:flex;flex-wrap:wrap;gap:24px}.charts section{flex:1 1 560px;min-width:0;max-width:100%}
.charts section.wide{flex-basis:100%}
svg.chart{max-width:100%;height:auto;font-size:12px}
svg .lbl{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg .grid{stroke:#eceef3}svg .tick{fill:var(--muted)}svg .axis{fill:var(--muted);font-size:12px}svg .lbl{fill:var(--fg)}
svg .pt{fill:#fff;stroke:var(--accent);stroke-width:2}svg .pt.on{fill:var(--accent)}
svg .frontier{fill:none;stroke:var(--accent);stroke-dasharray:5 4;stroke-width:1.5}
svg .whisker{stroke:#7d8799;stroke-width:1.5}svg .box{fill:#dbe6fb;stroke:var(--accent)}svg .median{stroke:#1d2330;stroke-width:2}svg .ttft{fill:#d97706}
svg .cellv{fill:#1d2330;font-size:11px}svg .cellv.dark{fill:#fff}svg .celln{fill:#1d2330;font-size:9px;opacity:.75}svg .celln.dark{fill:#fff}
#case-controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}
#case-controls input[type=search]{min-width:0;width:280px;max-width:100%;padding:4px 8px}
#cases{width:100%;min-width:760px;table-layout:fixed}
#cases td.case{width:150px}
pre.out,pre.why{white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;margin:4px 0;max-height:11em;overflow:auto}
pre.why{color:var(--muted);max-height:7em}
.cid{font-weight:600;overflow-wrap:break-word}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-weight:600;font-size:12px}
.badge.pass{background:#e3f4e8;color:var(--pass)}.badge.fail{background:#fbe6e4;color:var(--fail)}.badge.error{background:#fdf0dc;color:var(--err)}
.badge.unscored,.badge.ungraded{background:#eceef3;color:var(--muted)}
td.res.none{color:var(--muted)}
#pager{margin:8px 0}#pager button{margin:0 6px}
h4{font-size:13px;margin:12px 0 4px}
#ab,#routing{max-width:1400px}
.ab-block{border:1px solid var(--line);border-radius:6px;padding:4px 14px 10px;margin:10px 0}
.ab-verdict{display:inline-block;border-radius:3px;padding:0 8px;background:#eceef3;color:var(--muted);text-transform:uppercase;font-size:12px}
.ab-verdict.improvement{background:#e3f4e8;color:var(--pass)}.ab-verdict.regression{background:#fbe6e4;color:var(--fail)}
svg.abbar{display:block;overflow:visible;font-size:11px}svg.abbar .track{stroke:#e2e5eb;stroke-width:6;stroke-linecap:round}svg.abbar .range{stroke:#9aa3b2;stroke-width:6;stroke-linecap:round}
svg.abbar .zero{stroke:#1d2330;stroke-width:1.5}svg.abbar .dot{fill:#5b6475}svg.abbar .tick{fill:var(--muted)}
svg.abbar.up .range{stroke:#8fd3a3}svg.abbar.up .dot{fill:var(--pass)}svg.abbar.down .range{stroke:#f0a49d}svg.abbar.down .dot{fill:var(--fail)}
table.ab-stats th{position:static;text-align:left;font-weight:500;background:var(--head)}
table.ab-disagree{width:100%;table-layout:fixed}table.ab-disagree td.case{width:200px}
#routing-rules td.why{max-width:520px;color:var(--muted)}
#routing-compare tr.policy td{font-weight:600;background:#eef3fd}#routing-compare tr.best td:first-child::after{content:" (best single)";color:var(--muted);font-weight:400}
#routing-compare tr.muted td{color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
.media{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}
.media img.thumb{width:64px;height:64px;object-fit:contain;border:1px solid var(--line);border-radius:4px;background:#fff;image-rendering:pixelated}
.media-note{display:inline-block;font-size:12px;color:var(--muted);border:1px dashed var(--line);border-radius:4px;padding:2px 6px;max-width:260px;overflow-wrap:anywhere}
.media-link{font-size:12px;overflow-wrap:anywhere}
`;
