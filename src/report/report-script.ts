/**
 * The report page's only script, inlined and allowed by its hash. It reads the JSON data island and
 * builds every chart and table row with DOM calls and text nodes (createTextNode, textContent):
 * untrusted text never passes through innerHTML or an HTML parser. The only URL attributes set from
 * data are a thumbnail's src, only when it is a base64 data: URL of an image type (the CSP loads no
 * other), and a link's href, only when it is http(s) (never fetched by the page, only followed when
 * clicked). Rows are rendered a page at a time, so 100,000 results stay quick to filter and scroll.
 * Plain ES2020 in a string (no backticks or template placeholders inside), so it is shipped exactly as written.
 */
export const REPORT_SCRIPT = String.raw`(function () {
'use strict';
var island = document.getElementById('assay-data');
if (!island) return;
var D = JSON.parse(island.textContent || '{}');
var SVGNS = 'http://www.w3.org/2000/svg';
var M = D.models.length;
var PAGE = 50;

function put(e, attrs, kids) {
  if (attrs) for (var k in attrs) if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
  if (kids === null || kids === undefined) return e;
  if (!Array.isArray(kids)) kids = [kids];
  for (var i = 0; i < kids.length; i++) {
    var k2 = kids[i];
    if (k2 === null || k2 === undefined || k2 === false) continue;
    e.appendChild(typeof k2 === 'object' ? k2 : document.createTextNode(String(k2)));
  }
  return e;
}
function h(tag, attrs, kids) { return put(document.createElement(tag), attrs, kids); }
function s(tag, attrs, kids) { return put(document.createElementNS(SVGNS, tag), attrs, kids); }
function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
function pct(v) { return v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%'; }
function ms(v) { return v === null || v === undefined ? '–' : Math.round(v) + ' ms'; }
// Same rule as format-usd.ts: two significant digits below a cent, never an exponent.
function usd(v) {
  if (v === null || v === undefined || !isFinite(v)) return 'unknown';
  if (v === 0) return '$0';
  var a = Math.abs(v), sign = v < 0 ? '−' : '';
  if (a >= 1) return sign + '$' + a.toFixed(2);
  if (a >= 0.01) return sign + '$' + a.toFixed(4);
  return sign + '$' + a.toFixed(Math.min(12, 1 - Math.floor(Math.log10(a))));
}
function quality(m) { return m.passRate !== null ? m.passRate : m.meanScore; }
function fmtNum(v) { return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2); }
function ticks(lo, hi, n) {
  var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n || 1)));
  var err = (hi - lo) / n / step;
  if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
  var out = [];
  for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}
function quantile(sorted, q) {
  if (!sorted.length) return null;
  var pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function scatter() {
  var host = document.getElementById('scatter');
  if (!host) return;
  var pts = D.models.filter(function (m) { return m.costPer1kUsd !== null && quality(m) !== null; });
  var rest = D.models.filter(function (m) { return pts.indexOf(m) < 0; });
  if (!pts.length) { host.appendChild(h('p', {'class': 'muted'}, 'No model has both a known cost and a graded result.')); return; }
  var usePass = pts.every(function (m) { return m.passRate !== null; });
  var W = 860, H = 440, L = 64, R = 150, T = 20, B = 48;
  var costs = pts.map(function (m) { return m.costPer1kUsd; });
  var cLo = Math.min.apply(null, costs), cHi = Math.max.apply(null, costs);
  var log = cLo > 0 && cHi / cLo > 20;
  var x0 = log ? Math.log10(cLo) - 0.15 : Math.max(0, cLo - (cHi - cLo) * 0.15 - 1e-9);
  var x1 = log ? Math.log10(cHi) + 0.15 : cHi + (cHi - cLo) * 0.15 + 1e-9;
  if (!log && cHi === cLo) { x0 = 0; x1 = cHi * 2 || 1; }
  function fx(v) { var t = log ? Math.log10(v) : v; return L + (t - x0) / (x1 - x0) * (W - L - R); }
  var qs = [];
  pts.forEach(function (m) { qs.push(usePass ? m.passRate : quality(m)); if (usePass && m.ci) { qs.push(m.ci[0]); qs.push(m.ci[1]); } });
  var y0 = Math.max(0, Math.min.apply(null, qs) - 0.05), y1 = Math.min(1, Math.max.apply(null, qs) + 0.05);
  if (y1 - y0 < 0.1) { y0 = Math.max(0, y0 - 0.05); y1 = Math.min(1, y1 + 0.05); }
  function fy(v) { return T + (1 - (v - y0) / (y1 - y0)) * (H - T - B); }
  var g = s('svg', {viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': 'cost versus quality', 'class': 'chart'});
  ticks(y0, y1, 5).forEach(function (v) {
    g.appendChild(s('line', {x1: L, x2: W - R, y1: fy(v), y2: fy(v), 'class': 'grid'}));
    g.appendChild(s('text', {x: L - 6, y: fy(v) + 4, 'text-anchor': 'end', 'class': 'tick'}, pct(v)));
  });
  var xt = log ? ticks(x0, x1, 4).map(function (t) { return Math.pow(10, t); }) : ticks(x0, x1, 5);
  xt.forEach(function (v) {
    if (v <= 0 && log) return;
    g.appendChild(s('line', {x1: fx(v), x2: fx(v), y1: T, y2: H - B, 'class': 'grid'}));
    g.appendChild(s('text', {x: fx(v), y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick'}, usd(v)));
  });
  g.appendChild(s('text', {x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle', 'class': 'axis'}, 'cost per 1k requests (USD' + (log ? ', log scale)' : ')')));
  g.appendChild(s('text', {x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', 'class': 'axis', transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')'}, usePass ? 'pass rate (95% CI)' : 'mean score'));
  var front = pts.filter(function (m) { return m.frontier; }).sort(function (a, b) { return a.costPer1kUsd - b.costPer1kUsd; });
  if (front.length > 1) {
    g.appendChild(s('polyline', {points: front.map(function (m) { return fx(m.costPer1kUsd) + ',' + fy(usePass ? m.passRate : quality(m)); }).join(' '), 'class': 'frontier'}));
  }
  pts.forEach(function (m) {
    var x = fx(m.costPer1kUsd), y = fy(usePass ? m.passRate : quality(m));
    if (usePass && m.ci) g.appendChild(s('line', {x1: x, x2: x, y1: fy(m.ci[0]), y2: fy(m.ci[1]), 'class': 'ci'}));
    var dot = s('circle', {cx: x, cy: y, r: 6, 'class': m.frontier ? 'pt on' : 'pt', 'data-model': m.label});
    dot.appendChild(s('title', null, m.label + ': ' + pct(m.passRate) + ' pass, mean score ' + (m.meanScore === null ? '–' : m.meanScore.toFixed(3)) + ', ' + usd(m.costPer1kUsd) + ' per 1k' + (m.frontier ? ' (Pareto frontier)' : '')));
    g.appendChild(dot);
    g.appendChild(s('text', {x: x + 9, y: y - 8, 'class': 'lbl'}, m.label));
  });
  host.appendChild(g);
  host.appendChild(h('p', {'class': 'muted'}, [
    'Filled points are on the Pareto frontier (no other model is both cheaper and better); the dashed line joins them.',
    rest.length ? ' Not plotted (cost unknown or nothing graded): ' + rest.map(function (m) { return m.label; }).join(', ') + '.' : '',
  ]));
}

var byModelLatency = null;
function latencies() {
  if (byModelLatency) return byModelLatency;
  byModelLatency = [];
  for (var i = 0; i < M; i++) byModelLatency.push({lat: [], ttft: []});
  D.results.forEach(function (r) {
    if (r[2] === 'e' || r[10] === 1) return;
    if (r[4] !== null) byModelLatency[r[1]].lat.push(r[4]);
    if (r[5] !== null) byModelLatency[r[1]].ttft.push(r[5]);
  });
  byModelLatency.forEach(function (m) { m.lat.sort(function (a, b) { return a - b; }); m.ttft.sort(function (a, b) { return a - b; }); });
  return byModelLatency;
}

function latencyChart() {
  var host = document.getElementById('latency');
  if (!host) return;
  var L0 = latencies();
  var hiAll = 0;
  L0.forEach(function (m) { var v = quantile(m.lat, 0.95); if (v !== null && v > hiAll) hiAll = v; });
  if (hiAll === 0) { host.appendChild(h('p', {'class': 'muted'}, 'No latencies recorded (all errors or cached).')); return; }
  var W = 620, L = 150, R = 24, T = 10, row = 30, B = 40, H = T + row * M + B;
  var x1 = hiAll * 1.08;
  function fx(v) { return L + Math.min(v, x1) / x1 * (W - L - R); }
  var g = s('svg', {viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': 'latency distributions', 'class': 'chart'});
  ticks(0, x1, 5).forEach(function (v) {
    g.appendChild(s('line', {x1: fx(v), x2: fx(v), y1: T, y2: H - B, 'class': 'grid'}));
    g.appendChild(s('text', {x: fx(v), y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick'}, fmtNum(v)));
  });
  g.appendChild(s('text', {x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle', 'class': 'axis'}, 'latency ms: whiskers p5–p95, box p25–p75, line p50; ◆ TTFT p50'));
  D.models.forEach(function (m, i) {
    var d = L0[i], y = T + row * i + row / 2;
    g.appendChild(s('text', {x: L - 8, y: y + 4, 'text-anchor': 'end', 'class': 'lbl'}, m.label));
    if (!d.lat.length) return;
    var q = [0.05, 0.25, 0.5, 0.75, 0.95].map(function (p) { return quantile(d.lat, p); });
    g.appendChild(s('line', {x1: fx(q[0]), x2: fx(q[4]), y1: y, y2: y, 'class': 'whisker'}));
    var box = s('rect', {x: fx(q[1]), y: y - 8, width: Math.max(1, fx(q[3]) - fx(q[1])), height: 16, 'class': 'box', 'data-model': m.label});
    box.appendChild(s('title', null, m.label + ': p5 ' + ms(q[0]) + ', p25 ' + ms(q[1]) + ', p50 ' + ms(q[2]) + ', p75 ' + ms(q[3]) + ', p95 ' + ms(q[4]) + ' (n=' + d.lat.length + ')'));
    g.appendChild(box);
    g.appendChild(s('line', {x1: fx(q[2]), x2: fx(q[2]), y1: y - 8, y2: y + 8, 'class': 'median'}));
    var t = quantile(d.ttft, 0.5);
    if (t !== null) g.appendChild(s('path', {d: 'M' + fx(t) + ' ' + (y - 5) + 'l5 5l-5 5l-5 -5z', 'class': 'ttft'}));
  });
  host.appendChild(g);
}

function heatmap() {
  var host = document.getElementById('heatmap');
  if (!host) return;
  if (!D.heatRows.length) { host.appendChild(h('p', {'class': 'muted'}, 'No suites or tags.')); return; }
  var cw = Math.max(70, Math.min(120, Math.floor(560 / Math.max(1, M)))), ch = 32, L = 170, T = 60;
  var W = L + cw * M + 10, H = T + ch * D.heatRows.length + 10;
  var g = s('svg', {viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': 'pass rate by suite and tag and model', 'class': 'chart'});
  D.models.forEach(function (m, j) {
    g.appendChild(s('text', {x: L + cw * j + cw / 2, y: T - 10, 'text-anchor': 'middle', 'class': 'lbl', transform: 'rotate(-20 ' + (L + cw * j + cw / 2) + ' ' + (T - 10) + ')'}, m.label));
  });
  D.heatRows.forEach(function (r, i) {
    g.appendChild(s('text', {x: L - 8, y: T + ch * i + ch / 2 + 4, 'text-anchor': 'end', 'class': 'lbl'}, r[0] + ': ' + r[1]));
  });
  D.heat.forEach(function (c) {
    var x = L + cw * c[1], y = T + ch * c[0], rate = c[2];
    // Red through amber to green with falling lightness, so 62% and 100% differ in hue and in tone.
    var fill = rate === null ? '#e6e8ee' : 'hsl(' + Math.round(8 + rate * 122) + ',' + Math.round(75 - rate * 20) + '%,' + Math.round(rate < 0.5 ? 52 + rate * 16 : 68 - (rate - 0.5) * 60) + '%)';
    var dark = rate !== null && rate > 0.8;
    var cell = s('rect', {x: x + 1, y: y + 1, width: cw - 2, height: ch - 2, fill: fill, rx: 3, 'class': 'cell'});
    var ci = c[6] === null || c[6] === undefined ? '' : ', 95% CI ' + pct(c[6]) + '–' + pct(c[7]);
    cell.appendChild(s('title', null, D.heatRows[c[0]][1] + ' × ' + D.models[c[1]].label + ': ' + pct(rate) + ci + ' over ' + c[5] + ' case(s) (' + c[3] + ' graded results, ' + c[4] + ' results)'));
    g.appendChild(cell);
    g.appendChild(s('text', {x: x + cw / 2, y: y + ch / 2 - 1, 'text-anchor': 'middle', 'class': dark ? 'cellv dark' : 'cellv'}, rate === null ? '–' : pct(rate)));
    g.appendChild(s('text', {x: x + cw / 2, y: y + ch / 2 + 10, 'text-anchor': 'middle', 'class': dark ? 'celln dark' : 'celln', 'data-n': c[5]}, 'n=' + c[5]));
  });
  host.appendChild(g);
}

// The case table: one row per case (suite, case, repeat), each model's answer side by side.
var byCase = new Int32Array(D.cases.length * M).fill(-1);
D.results.forEach(function (r, i) { byCase[r[0] * M + r[1]] = i; });
var resultText = null, caseText = null;
var state = {model: -1, suite: -1, tag: -1, status: '', q: '', page: 0};
var visible = [];
var STATUS = {pass: 'p', fail: 'f', error: 'e', unscored: 'u', ungraded: 'g'};
var VERDICT = {p: 'pass', f: 'fail', e: 'error', g: 'ungraded', u: 'unscored'};

function textIndex() {
  if (resultText) return;
  resultText = D.results.map(function (r) { return (r[7] + '\n' + r[8] + '\n' + (r[9] || '')).toLowerCase(); });
  caseText = D.cases.map(function (c) { return (D.suites[c[0]] + '\n' + c[1] + '\n' + c[3] + '\n' + (c[4] === null ? '' : c[4])).toLowerCase(); });
}

function shownModels() {
  if (state.model >= 0) return [state.model];
  var all = [];
  for (var i = 0; i < M; i++) all.push(i);
  return all;
}

function applyFilters() {
  var ms2 = shownModels(), q = state.q.toLowerCase(), want = STATUS[state.status] || '';
  if (q) textIndex();
  visible = [];
  for (var c = 0; c < D.cases.length; c++) {
    var cs = D.cases[c];
    if (state.suite >= 0 && cs[0] !== state.suite) continue;
    if (state.tag >= 0 && cs[5].indexOf(state.tag) < 0) continue;
    var has = false, status = !want, text = !q || caseText[c].indexOf(q) >= 0;
    for (var k = 0; k < ms2.length; k++) {
      var ri = byCase[c * M + ms2[k]];
      if (ri < 0) continue;
      has = true;
      if (!status && D.results[ri][2] === want) status = true;
      if (!text && resultText[ri].indexOf(q) >= 0) text = true;
    }
    if (has && status && text) visible.push(c);
  }
  state.page = 0;
  renderRows();
}

function cell(ri) {
  if (ri < 0) return h('td', {'class': 'res none'}, 'not run');
  var r = D.results[ri];
  var meta = [];
  if (r[3] !== null) meta.push('score ' + r[3]);
  if (r[4] !== null) meta.push(r[4] + ' ms');
  if (r[5] !== null) meta.push('ttft ' + r[5] + ' ms');
  if (r[6] !== null) meta.push(usd(r[6]));
  if (r[10] === 1) meta.push('cached');
  return h('td', {'class': 'res ' + VERDICT[r[2]]}, [
    h('div', {'class': 'verdict'}, [h('span', {'class': 'badge ' + VERDICT[r[2]]}, r[2] === 'e' ? 'error: ' + (r[9] || 'unknown') : VERDICT[r[2]]), ' ', h('span', {'class': 'muted'}, meta.join(' · '))]),
    h('pre', {'class': 'out'}, r[7]),
    r[8] ? h('pre', {'class': 'why'}, r[8]) : null,
  ]);
}

// Thumbnails of the images an input names by its [image <digest>] markers, each once, in order:
// kept images as data: URLs, URLs as links, the rest (PDFs, large or missing images) as labelled placeholders.
var MEDIA = D.media || {};
var MARKER = /\[(image|file) ([0-9a-f]{12})\]/g;
var IMAGE_SRC = /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+\/]*={0,2}$/;
function placeholder(kind, digest, text) {
  return h('span', {'class': 'media-note', 'data-media': digest}, '[' + kind + '] ' + text);
}
function mediaStrip(text) {
  if (text.indexOf('[') < 0) return null;
  var seen = {}, kids = [], m;
  MARKER.lastIndex = 0;
  while ((m = MARKER.exec(text)) !== null) {
    var digest = m[2], item = MEDIA[digest];
    if (seen[digest] || !item) continue;
    seen[digest] = true;
    if (item.src && IMAGE_SRC.test(item.src)) {
      var img = h('img', {'class': 'thumb', alt: item.name, title: item.name, 'data-media': digest});
      img.addEventListener('error', (function (el, d, name) {
        return function () { if (el.parentNode) el.parentNode.replaceChild(placeholder('image', d, name + ': cannot be shown'), el); };
      })(img, digest, item.name));
      img.src = item.src;
      kids.push(img);
    } else if (item.url && /^https?:\/\//i.test(item.url)) {
      kids.push(h('a', {href: item.url, rel: 'noopener noreferrer nofollow', target: '_blank', 'class': 'media-link', 'data-media': digest}, '[' + item.type + '] ' + item.name));
    } else {
      kids.push(placeholder(item.type, digest, item.note || item.name));
    }
  }
  return kids.length ? h('div', {'class': 'media'}, kids) : null;
}

function renderRows() {
  var table = document.getElementById('cases');
  var ms2 = shownModels();
  var head = h('tr', null, [h('th', null, 'case'), h('th', null, 'input'), h('th', null, 'expected')].concat(ms2.map(function (m) { return h('th', {'data-model': D.models[m].label}, D.models[m].label); })));
  var pages = Math.max(1, Math.ceil(visible.length / PAGE));
  if (state.page >= pages) state.page = pages - 1;
  var body = h('tbody');
  var start = state.page * PAGE, end = Math.min(visible.length, start + PAGE);
  for (var i = start; i < end; i++) {
    var c = visible[i], cs = D.cases[c];
    var tags = cs[5].map(function (t) { return D.tags[t]; });
    var row = h('tr', {'data-case': cs[1]}, [
      h('td', {'class': 'case'}, [h('div', {'class': 'cid'}, cs[1] + (cs[2] > 0 ? ' #' + (cs[2] + 1) : '')), h('div', {'class': 'muted'}, D.suites[cs[0]]), tags.length ? h('div', {'class': 'muted'}, tags.join(', ')) : null]),
      h('td', null, [h('pre', {'class': 'out'}, cs[3]), mediaStrip(cs[3])]),
      h('td', null, h('pre', {'class': 'out'}, cs[4] === null ? '–' : cs[4])),
    ]);
    ms2.forEach(function (m) { row.appendChild(cell(byCase[c * M + m])); });
    body.appendChild(row);
  }
  clear(table).appendChild(h('thead', null, head));
  table.appendChild(body);
  var shownResults = 0;
  if (visible.length <= 20000) visible.forEach(function (c) { ms2.forEach(function (m) { if (byCase[c * M + m] >= 0) shownResults++; }); });
  document.getElementById('case-count').textContent = visible.length + ' of ' + D.cases.length + ' cases' + (visible.length <= 20000 ? ' (' + shownResults + ' results)' : '') + (visible.length ? ', showing ' + (start + 1) + '–' + end : '');
  var pager = clear(document.getElementById('pager'));
  var prev = h('button', {type: 'button', id: 'prev'}, '‹ previous');
  var next = h('button', {type: 'button', id: 'next'}, 'next ›');
  prev.disabled = state.page === 0;
  next.disabled = state.page >= pages - 1;
  prev.addEventListener('click', function () { state.page--; renderRows(); table.scrollIntoView(); });
  next.addEventListener('click', function () { state.page++; renderRows(); table.scrollIntoView(); });
  put(pager, null, [prev, h('span', {'class': 'muted'}, ' page ' + (state.page + 1) + ' of ' + pages + ' '), next]);
}

function select(id, label, options, onChange) {
  var sel = h('select', {id: id, 'aria-label': label});
  options.forEach(function (o) { sel.appendChild(h('option', {value: o[0]}, o[1])); });
  sel.addEventListener('change', function () { onChange(sel.value); applyFilters(); });
  return h('label', null, [label + ' ', sel]);
}

function controls() {
  var host = document.getElementById('case-controls');
  var all = [['-1', 'all']];
  host.appendChild(select('f-model', 'model', all.concat(D.models.map(function (m, i) { return [String(i), m.label]; })), function (v) { state.model = Number(v); }));
  host.appendChild(select('f-suite', 'suite', all.concat(D.suites.map(function (x, i) { return [String(i), x]; })), function (v) { state.suite = Number(v); }));
  host.appendChild(select('f-tag', 'tag', all.concat(D.tags.map(function (x, i) { return [String(i), x]; })), function (v) { state.tag = Number(v); }));
  host.appendChild(select('f-status', 'result', [['', 'all'], ['pass', 'pass'], ['fail', 'fail'], ['error', 'error'], ['unscored', 'unscored'], ['ungraded', 'ungraded']], function (v) { state.status = v; }));
  var search = h('input', {type: 'search', id: 'f-search', placeholder: 'search inputs, outputs, reasons…', 'aria-label': 'search'});
  var timer = 0;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = search.value; applyFilters(); }, D.results.length > 20000 ? 250 : 60);
  });
  host.appendChild(search);
}

// Leaderboard sorting: by each cell's data-value (numbers numerically, unknowns last), toggling order.
function sortable() {
  var table = document.getElementById('leaderboard');
  if (!table) return;
  var heads = table.querySelectorAll('th[data-sort]');
  Array.prototype.forEach.call(heads, function (th) {
    th.setAttribute('tabindex', '0');
    th.setAttribute('title', 'sort by this column');
    function go() {
      var key = th.getAttribute('data-sort');
      var desc = th.getAttribute('aria-sort') !== 'descending';
      Array.prototype.forEach.call(heads, function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function val(tr) { var td = tr.querySelector('td[data-metric="' + key + '"]'); return td ? td.getAttribute('data-value') : ''; }
      rows.sort(function (a, b) {
        var x = val(a), y = val(b);
        if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
        var nx = Number(x), ny = Number(y);
        var c = isNaN(nx) || isNaN(ny) ? String(x).localeCompare(String(y)) : nx - ny;
        return desc ? -c : c;
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
    }
    th.addEventListener('click', go);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
  });
}

sortable();
scatter();
latencyChart();
heatmap();
controls();
visible = D.cases.map(function (_, i) { return i; });
renderRows();
document.body.setAttribute('data-ready', '1');
})();
`;
