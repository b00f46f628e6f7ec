#!/usr/bin/env node
// Usage: node bench/render-doc.mjs [--quick] [--check]
//
// Renders docs/performance.md and its charts (docs/performance/*.svg) from bench/results/*.json.
// --quick: from bench/results/tmp/*.json (a `--quick` run) into bench/results/tmp/performance.md.
// --check: writes nothing; exits 1 when the files on disk differ from what the results give.
//
// The output depends on the result files only (no clock, no locale), so the docs package can check
// that the committed doc is up to date. Plain Node, no dependencies. See bench/README.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/** The scenarios of the issue, in the order the doc shows them; any other result file follows. */
export const SCENARIOS = [
  { name: 'bundle-size', title: 'Bundle size', about: 'Bytes each entry point adds to an app (minified and gzipped), switchboard next to the libraries it replaces, and what the bytes are made of.' },
  { name: 'throughput', title: 'Throughput', about: 'Messages per second from the server to a subscribed client, per contender and mode.' },
  { name: 'renders', title: 'Renders', about: 'React renders caused by real-time updates: how many components render per message.' },
  { name: 'fanout', title: 'Client fan-out', about: 'One message delivered to many subscribed hooks in one client.' },
  { name: 'reconnect-storm', title: 'Reconnect storm', about: 'Many clients losing their server at once: connection attempts per 250 ms after the server comes back, per library and restart delay. Jittered backoff spreads them; a spike above twice a uniform spread is a storm.' },
  { name: 'memory', title: 'Memory', about: 'Memory held by clients, channels and subscriptions, after a full GC.' },
  { name: 'server-fanout', title: 'Server fan-out', about: "One server process, switchboard's server kit next to a socket.io 4.8 server doing the same work: the connections it holds, latency and throughput of fan-out to 1k and 10k subscribers." },
];

/** Load average at or above the core count when a scenario started: others' work shared the CPU. */
export function loadWarning(machine) {
  const cpus = num(machine?.cpus);
  const start = num(machine?.loadAverage?.start);
  const end = num(machine?.loadAverage?.end);
  if (cpus === undefined || (start === undefined && end === undefined)) return undefined;
  if ((start ?? 0) >= cpus || (end ?? 0) >= 2 * cpus) {
    return `load average ${fmt(start)} → ${fmt(end)} on ${cpus} cores: the machine was shared while this ran, so figures are likely slower and noisier than on a quiet machine`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Formatting (deterministic: no locale, no clock)

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function group3(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A figure for a table: 142,649 · 16.4 · 2.35 · 0.0123. */
export function fmt(v) {
  if (typeof v === 'string') return v;
  if (num(v) === undefined) return '—';
  const a = Math.abs(v);
  let s;
  if (a >= 1000 || Number.isInteger(v)) s = group3(Math.round(a).toString());
  else if (a >= 100) s = a.toFixed(0);
  else if (a >= 10) s = a.toFixed(1);
  else if (a >= 1) s = a.toFixed(2);
  else s = a.toPrecision(3);
  if (s.includes('.') && !s.includes('e')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return (v < 0 && s !== '0' ? '−' : '') + s;
}

/** Tick labels of an axis up to `max`, all in one scale: 0, 5k, 10k … or 0, 250, 500 … */
function axisFormat(max) {
  const [div, suffix] = max >= 1e10 ? [1e9, 'G'] : max >= 1e7 ? [1e6, 'M'] : max >= 1e4 ? [1e3, 'k'] : [1, ''];
  return (v) => `${fmt(v / div)}${v === 0 ? '' : suffix}`;
}

/** 0.0867 → `8.7 %`, 3.9 → `390 %`. */
function fmtPct(share) {
  const p = share * 100;
  return `${Math.abs(p) >= 10 ? group3(Math.round(p).toString()) : p.toFixed(1).replace(/\.0$/, '')} %`;
}

function withUnit(v, unit) {
  const s = fmt(v);
  if (s === '—' || !unit) return s;
  return unit.startsWith('×') || unit === '%' ? `${s}${unit === '%' ? ' %' : ` ${unit}`}` : `${s} ${unit}`;
}

/** `2026-11-23T03:18:09.679Z` → `2026-11-23 03:18 UTC`. */
function fmtDate(iso) {
  if (typeof iso !== 'string') return '—';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function cell(v) {
  return String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function slug(s) {
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------------------------------------------
// Charts: hand-written SVG, white background (legible in GitHub's light and dark themes)

const FONT = 'font-family="-apple-system,BlinkMacSystemFont,Segoe UI,Helvetica,Arial,sans-serif"';
const INK = '#1f2328';
const MUTED = '#59636e';
const GRID = '#d1d9e0';
const ACCENT = '#0969da';
const ANCHOR = '#8c959f';
const LINE = '#cf222e';
const WIDTH = 760;

/** Rough text width at `size` px (sans-serif averages ~0.56 em per character). */
const textWidth = (s, size = 12) => String(s).length * size * 0.56;

/** A round step for about `count` ticks up to `max`. */
function niceStep(max, count = 5) {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * pow;
}

function niceMax(max, count = 5) {
  const step = niceStep(max, count);
  return { max: Math.max(step, Math.ceil(max / step) * step), step };
}

const r1 = (n) => Math.round(n * 10) / 10;

function svgOpen(width, height, title) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" ${FONT}>`,
    `<title>${esc(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff" rx="6"/>`,
  ];
}

function highlighted(item) {
  if (typeof item.highlight === 'boolean') return item.highlight;
  return /switchboard/i.test(`${item.label} ${item.group ?? ''}`);
}

/** Horizontal bars, optionally in groups, with min–max whiskers and the value at the end of each bar. */
export function barsSvg(chart) {
  const items = chart.series;
  const labelW = Math.min(300, Math.max(90, ...items.map((i) => textWidth(i.label) + 24)));
  const left = 16 + labelW;
  const valueW = Math.max(60, ...items.map((i) => textWidth(fmt(i.value)) + 12));
  const right = WIDTH - 16 - valueW;
  const top = chart.subtitle ? 58 : 44;
  const barH = 18;
  const gap = 6;
  const groupH = 22;
  const hi = Math.max(0, ...items.map((i) => Math.max(num(i.value) ?? 0, num(i.max) ?? 0)));
  const { max, step } = niceMax(hi);
  const fmtShort = axisFormat(max);
  const x = (v) => r1(left + (Math.max(0, v) / max) * (right - left));
  const rows = [];
  let y = top;
  let lastGroup;
  for (const item of items) {
    if (item.group !== undefined && item.group !== lastGroup) {
      if (lastGroup !== undefined) y += 4;
      rows.push(`<text x="16" y="${y + 15}" font-size="12" font-weight="600" fill="${INK}">${esc(item.group)}</text>`);
      y += groupH;
    }
    lastGroup = item.group;
    const v = num(item.value) ?? 0;
    const color = highlighted(item) ? ACCENT : ANCHOR;
    const indent = item.group !== undefined ? 28 : 16;
    rows.push(`<text x="${indent}" y="${y + 13}" font-size="12" fill="${INK}">${esc(item.label)}</text>`);
    rows.push(`<rect x="${left}" y="${y}" width="${r1(Math.max(1, x(v) - left))}" height="${barH}" fill="${color}" rx="2"/>`);
    let end = x(v);
    if (num(item.min) !== undefined && num(item.max) !== undefined && item.max > item.min) {
      const [a, b, cy] = [x(item.min), x(item.max), y + barH / 2];
      rows.push(`<path d="M${a} ${cy}H${b}M${a} ${cy - 5}V${cy + 5}M${b} ${cy - 5}V${cy + 5}" stroke="${INK}" stroke-width="1.2" fill="none"/>`);
      end = Math.max(end, b);
    }
    rows.push(`<text x="${r1(end + 6)}" y="${y + 13}" font-size="12" fill="${INK}">${esc(fmt(item.value))}</text>`);
    y += barH + gap;
  }
  const axisY = y + 2;
  const ticks = [];
  for (let t = 0; t <= max + step / 1e6; t += step) {
    ticks.push(`<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${axisY}" stroke="${GRID}" stroke-width="1"/>`);
    ticks.push(`<text x="${x(t)}" y="${axisY + 16}" font-size="11" fill="${MUTED}" text-anchor="middle">${esc(fmtShort(t))}</text>`);
  }
  const height = axisY + 58;
  const legend = [];
  if (items.some((i) => num(i.min) !== undefined && num(i.max) !== undefined && i.max > i.min)) {
    legend.push(`<path d="M16 ${height - 14}h18M16 ${height - 19}v10M34 ${height - 19}v10" stroke="${INK}" stroke-width="1.2" fill="none"/><text x="40" y="${height - 10}" font-size="11" fill="${MUTED}">min–max of the runs; bar and figure: median</text>`);
  }
  return [
    ...svgOpen(WIDTH, height, chart.title),
    `<text x="16" y="26" font-size="15" font-weight="600" fill="${INK}">${esc(chart.title)}</text>`,
    ...(chart.subtitle ? [`<text x="16" y="44" font-size="12" fill="${MUTED}">${esc(chart.subtitle)}</text>`] : []),
    ...ticks,
    `<line x1="${left}" y1="${top - 4}" x2="${left}" y2="${axisY}" stroke="${MUTED}" stroke-width="1"/>`,
    `<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="${MUTED}" stroke-width="1"/>`,
    ...rows,
    `<text x="${r1((left + right) / 2)}" y="${axisY + 34}" font-size="12" fill="${INK}" text-anchor="middle">${esc(chart.unit)}</text>`,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

/** Small multiples: one histogram per series (same scales), with a dashed reference line. */
export function histogramSvg(chart) {
  const panels = chart.series;
  const cols = Math.min(3, panels.length);
  const rowsN = Math.ceil(panels.length / cols);
  const top = chart.subtitle ? 60 : 46;
  const panelW = (WIDTH - 32) / cols;
  const panelH = 156;
  const plot = { l: 44, r: 12, t: 30, b: 30 };
  const lineOf = (p) => num(p.line) ?? (p.buckets.length ? (2 * p.buckets.reduce((s, b) => s + b, 0)) / p.buckets.length : 0);
  const hi = Math.max(1, ...panels.flatMap((p) => [...p.buckets, lineOf(p)]));
  const { max } = niceMax(hi, 3);
  const fmtShort = axisFormat(max);
  const spanMs = Math.max(...panels.map((p) => p.buckets.length * p.bucketMs));
  const out = [];
  panels.forEach((p, i) => {
    const ox = 16 + (i % cols) * panelW;
    const oy = top + Math.floor(i / cols) * panelH;
    const [l, r, t, b] = [ox + plot.l, ox + panelW - plot.r, oy + plot.t, oy + panelH - plot.b];
    const xAt = (ms) => r1(l + (ms / spanMs) * (r - l));
    const yAt = (v) => r1(b - (v / max) * (b - t));
    out.push(`<text x="${ox + 4}" y="${oy + 14}" font-size="12" font-weight="600" fill="${INK}">${esc(p.label)}</text>`);
    for (const v of [0, max / 2, max]) {
      out.push(`<line x1="${l}" y1="${yAt(v)}" x2="${r}" y2="${yAt(v)}" stroke="${GRID}" stroke-width="1"/>`);
      out.push(`<text x="${l - 4}" y="${yAt(v) + 4}" font-size="10" fill="${MUTED}" text-anchor="end">${esc(fmtShort(v))}</text>`);
    }
    const w = Math.max(0.5, r1(((r - l) * p.bucketMs) / spanMs - (p.buckets.length > 60 ? 0 : 1)));
    p.buckets.forEach((v, k) => {
      if (!(v > 0)) return;
      out.push(`<rect x="${xAt(k * p.bucketMs)}" y="${yAt(v)}" width="${w}" height="${r1(b - yAt(v))}" fill="${highlighted(p) ? ACCENT : ANCHOR}"/>`);
    });
    if (p.markMs !== undefined && p.markMs <= spanMs) {
      out.push(`<line x1="${xAt(p.markMs)}" y1="${t - 4}" x2="${xAt(p.markMs)}" y2="${b}" stroke="${INK}" stroke-width="1" stroke-dasharray="2 2"/>`);
      out.push(`<text x="${r1(xAt(p.markMs) + 3)}" y="${t + 6}" font-size="10" fill="${INK}">${esc(chart.markLabel ?? 'restart')}</text>`);
    }
    const line = lineOf(p);
    if (line > 0) out.push(`<line x1="${l}" y1="${yAt(line)}" x2="${r}" y2="${yAt(line)}" stroke="${LINE}" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    out.push(`<line x1="${l}" y1="${b}" x2="${r}" y2="${b}" stroke="${MUTED}" stroke-width="1"/>`);
    out.push(`<line x1="${l}" y1="${t}" x2="${l}" y2="${b}" stroke="${MUTED}" stroke-width="1"/>`);
    const xStep = niceStep(spanMs / 1000, 4) * 1000;
    for (let ms = 0; ms <= spanMs + 1e-6; ms += xStep) {
      out.push(`<text x="${xAt(ms)}" y="${b + 13}" font-size="10" fill="${MUTED}" text-anchor="middle">${esc(fmt(ms / 1000))}</text>`);
    }
  });
  const bottom = top + rowsN * panelH;
  const lineLabel = chart.lineLabel ?? panels.find((p) => p.lineLabel)?.lineLabel ?? '2× uniform (twice the attempts per bucket of an even spread)';
  const height = bottom + 44;
  const bucketMs = panels[0].bucketMs;
  return [
    ...svgOpen(WIDTH, height, chart.title),
    `<text x="16" y="26" font-size="15" font-weight="600" fill="${INK}">${esc(chart.title)}</text>`,
    ...(chart.subtitle ? [`<text x="16" y="44" font-size="12" fill="${MUTED}">${esc(chart.subtitle)}</text>`] : []),
    ...out,
    `<text x="16" y="${bottom + 4}" font-size="12" fill="${INK}">x: ${esc(chart.xLabel ?? `seconds (bars: ${fmt(bucketMs)} ms buckets)`)} · y: ${esc(chart.unit)}</text>`,
    `<line x1="16" y1="${bottom + 24}" x2="40" y2="${bottom + 24}" stroke="${LINE}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    `<text x="46" y="${bottom + 28}" font-size="11" fill="${MUTED}">${esc(lineLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * A chart as a scenario declares it (`details.charts`), checked and normalised; `{ error }` when it
 * cannot be drawn.
 */
export function normalizeChart(chart) {
  if (!chart || typeof chart !== 'object') return { error: 'not an object' };
  const title = typeof chart.title === 'string' && chart.title ? chart.title : undefined;
  if (!title) return { error: 'no title' };
  const unit = typeof chart.unit === 'string' ? chart.unit : '';
  const kind = chart.kind ?? 'bars';
  const base = { id: typeof chart.id === 'string' ? slug(chart.id) : undefined, title, unit, kind, subtitle: typeof chart.subtitle === 'string' ? chart.subtitle : undefined, note: chart.note };
  const list = Array.isArray(chart.series) ? chart.series : chart.series && typeof chart.series === 'object' ? [chart.series] : [];
  if (kind === 'bars') {
    const series = list
      .filter((s) => s && typeof s === 'object' && num(s.value) !== undefined)
      .map((s) => ({ label: String(s.label ?? ''), value: s.value, min: num(s.min), max: num(s.max), group: s.group === undefined ? undefined : String(s.group), highlight: typeof s.highlight === 'boolean' ? s.highlight : undefined }));
    return series.length ? { ...base, series } : { error: `"${title}": no series with a numeric value` };
  }
  if (kind === 'histogram') {
    const series = list
      .filter((s) => s && typeof s === 'object' && Array.isArray(s.buckets) && s.buckets.length && s.buckets.every((b) => num(b) !== undefined))
      .map((s) => ({ label: String(s.label ?? ''), buckets: s.buckets, bucketMs: num(s.bucketMs) && s.bucketMs > 0 ? s.bucketMs : num(chart.bucketMs) ?? 250, line: num(s.line), markMs: num(s.markMs), lineLabel: typeof s.lineLabel === 'string' ? s.lineLabel : undefined, highlight: typeof s.highlight === 'boolean' ? s.highlight : undefined }));
    return series.length ? { ...base, xLabel: typeof chart.xLabel === 'string' ? chart.xLabel : undefined, markLabel: typeof chart.markLabel === 'string' ? chart.markLabel : undefined, lineLabel: typeof chart.lineLabel === 'string' ? chart.lineLabel : undefined, series: series.slice(0, 30) } : { error: `"${title}": no series with numeric buckets` };
  }
  return { error: `"${title}": unknown kind ${JSON.stringify(kind)}` };
}

const kinds = (entries) => [...new Set(entries.map((e) => e.kind))];

/** Charts when a scenario declares none: figures sharing a unit and a last name part, side by side. */
function defaultCharts(result) {
  const charts = [];
  const histograms = flattenHistograms(result.details?.histograms);
  if (histograms.length) {
    charts.push({ title: 'Connection attempts over time', unit: 'attempts per bucket', kind: 'histogram', series: histograms });
  }
  const before = charts.length;
  // Bundle sizes: `details.entries` [{ name, min, gzip, kind }] and `details.breakdown` [{ module, bytes }].
  const entries = Array.isArray(result.details?.entries) ? result.details.entries.filter((e) => e && typeof e === 'object' && e.name !== undefined) : [];
  const byKind = [...entries].sort((a, b) => kinds(entries).indexOf(a.kind) - kinds(entries).indexOf(b.kind));
  for (const [key, title] of [['gzip', 'Bundle size, minified and gzipped'], ['min', 'Bundle size, minified']]) {
    const series = byKind.filter((e) => num(e[key]) !== undefined).map((e) => ({ label: String(e.name), value: e[key], group: e.kind === undefined ? undefined : String(e.kind) }));
    if (series.length) charts.push({ id: `${result.scenario}-${key}`, title, unit: 'bytes', kind: 'bars', series });
  }
  const breakdown = Array.isArray(result.details?.breakdown) ? result.details.breakdown.filter((b) => b && num(b.bytes) !== undefined) : [];
  if (breakdown.length) {
    const top = [...breakdown].sort((a, b) => b.bytes - a.bytes).slice(0, 15);
    charts.push({ id: `${result.scenario}-breakdown`, title: `What the bytes are made of${breakdown.length > 15 ? ' (largest 15)' : ''}`, unit: 'bytes', kind: 'bars', series: top.map((b) => ({ label: String(b.module ?? b.name ?? ''), value: b.bytes })) });
  }
  if (charts.length > before) return charts;
  const groups = new Map();
  for (const [name, f] of Object.entries(result.figures ?? {})) {
    if (!f || num(f.median) === undefined) continue;
    const parts = name.split('.');
    const metric = parts.length > 1 ? parts.at(-1) : name;
    const key = `${f.unit ?? ''}\u0000${metric}`;
    if (!groups.has(key)) groups.set(key, { metric, unit: f.unit ?? '', items: [] });
    groups.get(key).items.push({ label: parts.length > 1 ? parts.slice(0, -1).join('.') : name, value: f.median, min: f.min, max: f.max });
  }
  for (const { metric, unit, items } of groups.values()) {
    if (items.length < 2 || items.every((i) => i.value === items[0].value)) continue;
    // Labels sharing a first part (`batch.ws`, `batch.switchboard`, `task.ws`…): that part is the group.
    const grouped = items.every((i) => i.label.includes('.'))
      ? items.map((i) => ({ ...i, group: i.label.slice(0, i.label.indexOf('.')), label: i.label.slice(i.label.indexOf('.') + 1) }))
      : items;
    const order = [...new Set(grouped.map((i) => i.group))];
    grouped.sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
    charts.push({ id: `${result.scenario}-${metric}`, title: `${result.scenario}: ${metric}${unit && unit !== metric ? ` (${unit})` : ''}`, unit, kind: 'bars', series: grouped.slice(0, 30) });
  }
  return charts;
}

/**
 * Histograms in whatever shape a scenario kept them (`details.histograms`): an array of
 * `{ label|library, delayMs?, buckets|counts, bucketMs? }`, or objects keyed by library (and delay)
 * down to arrays of counts. Each becomes one small multiple, labelled by its path.
 */
export function flattenHistograms(value, path = [], bucketMs = 250, out = []) {
  if (out.length >= 30 || value === null || typeof value !== 'object') return out;
  const inherit = num(value.bucketMs) ?? bucketMs;
  if (Array.isArray(value)) {
    if (value.length && value.every((v) => num(v) !== undefined)) {
      out.push({ label: path.join(' · ') || 'histogram', buckets: value, bucketMs });
      return out;
    }
    const records = histogramRecords(value, bucketMs);
    if (records.length) {
      for (const r of records) out.push({ ...r, label: [...path, r.label].filter(Boolean).join(' · ') || 'histogram' });
      return out;
    }
    value.forEach((v, i) => {
      if (!v || typeof v !== 'object') return;
      const name = v.label ?? v.library ?? v.name ?? (Array.isArray(v) ? String(i + 1) : undefined);
      const delay = v.restartDelayMs ?? v.delayMs ?? v.delay;
      const own = [name, delay === undefined ? undefined : typeof delay === 'number' ? `restart after ${fmt(delay)} ms` : String(delay)].filter((p) => p !== undefined).map(String);
      flattenHistograms(v, [...path, ...(own.length ? own : [String(i + 1)])], inherit, out);
    });
    return out;
  }
  const buckets = value.buckets ?? value.counts ?? value.histogram;
  if (Array.isArray(buckets) && buckets.every((v) => num(v) !== undefined)) {
    out.push({ label: path.join(' · ') || 'histogram', buckets, bucketMs: inherit, line: num(value.line) ?? num(value.twiceUniform) });
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    if (v && typeof v === 'object') flattenHistograms(v, [...path, key], inherit, out);
  }
  return out;
}

/**
 * An array of records `{ library|label|name, restartAfterMs|delayMs?, run?, bucketMs?, restartAtMs?,
 * attempts|buckets|counts }`: one histogram per label and delay; of several runs, the one with the
 * highest peak over its mean (the worst storm), said in the label.
 */
function histogramRecords(list, bucketMs) {
  const bucketsOf = (r) => [r.buckets, r.attempts, r.counts].find((b) => Array.isArray(b) && b.length && b.every((v) => num(v) !== undefined));
  if (!list.every((r) => r && typeof r === 'object' && !Array.isArray(r) && bucketsOf(r))) return [];
  const groups = new Map();
  for (const r of list) {
    const delay = num(r.restartAfterMs) ?? num(r.restartDelayMs) ?? num(r.delayMs) ?? num(r.delay);
    const label = [r.label ?? r.library ?? r.name, delay === undefined ? undefined : `restart after ${fmt(delay / 1000)} s`].filter((p) => p !== undefined).join(' · ');
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label).push(r);
  }
  const storm = (b) => Math.max(...b) / Math.max(1e-9, b.reduce((x, y) => x + y, 0) / b.length);
  return [...groups].map(([label, runs]) => {
    const worst = runs.reduce((a, b) => (storm(bucketsOf(b)) > storm(bucketsOf(a)) ? b : a));
    return {
      label: runs.length > 1 ? `${label} (worst of ${runs.length} runs)` : label,
      buckets: bucketsOf(worst),
      bucketMs: num(worst.bucketMs) ?? bucketMs,
      line: num(worst.line),
      markMs: num(worst.restartAtMs) ?? num(worst.markMs),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// The document

function readResults(dir) {
  const results = new Map();
  const errors = [];
  if (!existsSync(dir)) return { results, errors };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    try {
      const result = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      if (!result || typeof result !== 'object' || Array.isArray(result)) throw new Error('not an object');
      const name = typeof result.scenario === 'string' && result.scenario ? result.scenario : file.slice(0, -5);
      results.set(name, { ...result, scenario: name, file });
    } catch (error) {
      errors.push({ name: file.slice(0, -5), file, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { results, errors };
}

function machineLine(m) {
  if (!m || typeof m !== 'object') return '—';
  const parts = [[m.platform, m.arch].filter(Boolean).join(' '), m.cpus ? `${m.cpus} × ${m.cpuModel ?? 'CPU'}` : m.cpuModel, num(m.memoryGiB) !== undefined ? `${m.memoryGiB} GiB` : undefined];
  return parts.filter(Boolean).join(', ') || '—';
}

function loadLine(m) {
  const la = m?.loadAverage;
  if (!la) return '—';
  return `${fmt(la.start)} → ${fmt(la.end)}`;
}

function goalsOf(result) {
  const goals = result?.details?.goals;
  return Array.isArray(goals) ? goals.filter((g) => g && typeof g === 'object' && g.goal) : [];
}

/** How far a goal's measured value is from its target, or what the scenario says about it. */
export function distance(goal) {
  if (typeof goal.by === 'string' && goal.by) return goal.by;
  const value = num(goal.value);
  const target = num(goal.target) ?? targetInText(goal.goal);
  if (value === undefined || target === undefined) return goal.met === false ? 'not stated' : '—';
  const diff = value - target;
  if (diff === 0) return 'exactly on target';
  const pct = target !== 0 ? ` (${diff > 0 ? '+' : '−'}${fmtPct(Math.abs(diff / target))})` : '';
  if (typeof goal.unit === 'string' && goal.unit.startsWith('×') && target !== 0) return `${fmtPct(Math.abs(diff / target))} ${diff > 0 ? 'above' : 'below'} the target of ${withUnit(target, goal.unit)}`;
  return `${withUnit(Math.abs(diff), goal.unit)} ${diff > 0 ? 'above' : 'below'} the target of ${withUnit(target, goal.unit)}${pct}`;
}

/** `≤ 60 renders/s`, `≥ 0.90× raw ws`, `at most 3 ms`: the number a goal's own words set, if any. */
function targetInText(text) {
  const m = /(?:≤|≥|<=|>=|at most|at least|under|over)\s*~?\s*(\d+(?:\.\d+)?)/i.exec(String(text ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The largest shares of a profile's time, in one line: `@switchboard/core 38 %, (garbage collector) 34 %`. */
function topShares(profile, n = 3) {
  if (!profile || !Array.isArray(profile.groups)) return undefined;
  const pct = (share) => fmtPct(share <= 1 ? share : share / 100);
  return profile.groups.slice(0, n).filter((g) => num(g.share) !== undefined).map((g) => `${g.name} ${pct(g.share)}`).join(', ') || undefined;
}

/** A scenario's profiles as `[label, summary]` (`details.profile`: one summary, or summaries by label; `details.profiles` likewise). */
function profilesOf(result) {
  return [result?.details?.profile, result?.details?.profiles].flatMap((p) => (!p || typeof p !== 'object' ? [] : Array.isArray(p.groups) ? [['', p]] : Object.entries(p).filter(([, v]) => v && typeof v === 'object')));
}

function status(goal) {
  return goal.met === true ? '✅ met' : goal.met === false ? '❌ missed' : '— not judged';
}

function profileTable(profile) {
  if (typeof profile === 'string') return profile;
  if (!profile || typeof profile !== 'object') return undefined;
  const lines = [];
  if (Array.isArray(profile.groups) && profile.groups.length) {
    lines.push(table(['where the time goes (self time)', 'ms', 'share'], profile.groups.slice(0, 10).map((g) => [g.name, fmt(g.ms), num(g.share) !== undefined ? fmtPct(g.share <= 1 ? g.share : g.share / 100) : '—'])));
  }
  if (Array.isArray(profile.functions) && profile.functions.length) {
    lines.push(table(['hottest functions', 'where', 'ms', 'share'], profile.functions.slice(0, 8).map((f) => [`\`${f.name || '(anonymous)'}\``, f.where ?? '', fmt(f.ms), num(f.share) !== undefined ? fmtPct(f.share <= 1 ? f.share : f.share / 100) : '—'])));
  }
  const extra = Object.entries(profile).filter(([k, v]) => k !== 'busyMs' && typeof v === 'number');
  if (num(profile.busyMs) !== undefined) lines.unshift(`Busy (sampled, idle excluded): ${fmt(profile.busyMs)} ms${extra.length ? `; ${extra.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}` : ''}.`);
  return lines.length ? lines.join('\n\n') : undefined;
}

const scalar = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const CONSUMED = new Set(['charts', 'goals', 'histograms', 'profile', 'profiles', 'description']);

/** `details` entries no chart or goal consumes: arrays of flat records and flat records as tables. */
function detailTables(details) {
  const out = [];
  for (const [key, value] of Object.entries(details ?? {})) {
    if (CONSUMED.has(key)) continue;
    if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const cols = [...new Set(value.flatMap((v) => Object.keys(v).filter((k) => scalar(v[k]))))].slice(0, 8);
      if (!cols.length) continue;
      const rows = value.slice(0, 40).map((v) => cols.map((c) => (c === 'share' && num(v[c]) !== undefined && v[c] <= 1 ? fmtPct(v[c]) : typeof v[c] === 'number' ? fmt(v[c]) : v[c] ?? '')));
      out.push(`**${key}**\n\n${table(cols, rows)}${value.length > 40 ? `\n\n…and ${value.length - 40} more rows in the result file.` : ''}`);
    } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).length && Object.values(value).every(scalar)) {
      out.push(`**${key}**\n\n${table(['', 'value'], Object.entries(value).map(([k, v]) => [k, typeof v === 'number' ? fmt(v) : v]))}`);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      // Nested objects down to flat records (e.g. budget.base = { limitGzip, gzip, over }): one row each.
      const rows = [];
      const walk = (v, path) => {
        if (rows.length > 40 || !v || typeof v !== 'object' || Array.isArray(v)) return;
        const entries = Object.entries(v);
        if (entries.length && entries.every(([, x]) => scalar(x))) rows.push([path.join('.'), v]);
        else for (const [k, x] of entries) walk(x, [...path, k]);
      };
      walk(value, []);
      const cols = [...new Set(rows.flatMap(([, v]) => Object.keys(v)))].slice(0, 8);
      if (rows.length && cols.length) out.push(`**${key}**\n\n${table(['', ...cols], rows.map(([p, v]) => [p, ...cols.map((c) => (typeof v[c] === 'number' ? fmt(v[c]) : v[c] ?? ''))]))}`);
    }
  }
  return out;
}

/**
 * The whole document and its charts, from the result files in `resultsDir`. `outFile` is where the
 * markdown goes (links are relative to it); charts go to `<outFile without .md>/<id>.svg`.
 */
export function renderDoc({ resultsDir = join(here, 'results'), outFile = join(root, 'docs', 'performance.md'), quick = false } = {}) {
  const { results, errors } = readResults(resultsDir);
  const svgDir = outFile.replace(/\.md$/, '');
  const svgRel = relative(dirname(outFile), svgDir).split('\\').join('/');
  const link = (path) => relative(dirname(outFile), join(root, path)).split('\\').join('/');
  const known = SCENARIOS.map((s) => s.name);
  const names = [...known, ...[...results.keys(), ...errors.map((e) => e.name)].filter((n) => !known.includes(n)).sort()].filter((n, i, all) => all.indexOf(n) === i);
  const meta = (name) => SCENARIOS.find((s) => s.name === name) ?? { name, title: name, about: '' };
  const svgs = new Map();
  const used = new Set();
  const chartId = (name, chart) => {
    let base = chart.id ?? `${name}-${slug(chart.title)}`;
    if (!base.startsWith(name)) base = `${name}-${base}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };

  const md = [];
  md.push('# Performance', '');
  md.push('<!-- Generated by bench/render-doc.mjs from bench/results/*.json: do not edit by hand. -->', '');
  if (quick) md.push(`> **A quick run** (\`pnpm bench --quick\`): smaller sizes, one run each, from \`bench/results/tmp/\` (not committed). \`node bench/render-doc.mjs --quick\` regenerates it. The committed figures are in \`docs/performance.md\`.`, '');
  else md.push(
    `> **Generated — do not edit by hand.** [\`bench/render-doc.mjs\`](${link('bench/render-doc.mjs')}) writes this page and its charts from the result files in [\`bench/results/\`](${link('bench/results')}). ` +
      '`pnpm bench` measures everything again (about 10 minutes on 2 cores) and regenerates it; `node bench/render-doc.mjs` regenerates it from the committed results. ' +
      "`pnpm test` fails when it is out of date with the results.",
    '',
  );
  md.push(
    `These are measurements, not tests: nothing here passes or fails a build. Each figure is the median of its runs (3 at full size) with the range min–max; ratios compare medians. Every scenario records the machine it ran on and the load average when it started and ended — on a shared machine figures are slower and noisier. How each scenario measures: [\`bench/README.md\`](${link('bench/README.md')}).`,
    '',
  );
  md.push(names.map((n) => `[${meta(n).title}](#${slug(meta(n).title)})`).join(' · '), '');

  // Runs
  md.push('## Runs', '');
  const runRows = [];
  const warnings = [];
  for (const name of names) {
    const r = results.get(name);
    if (!r) {
      runRows.push([meta(name).title, errors.some((e) => e.name === name) ? 'result file unreadable' : 'not measured yet', '', '', '', '']);
      continue;
    }
    const warning = loadWarning(r.machine);
    if (warning) warnings.push(`**${meta(name).title}**: ${warning}.`);
    runRows.push([meta(name).title, fmtDate(r.date), r.quick ? 'quick' : 'full', r.node ?? '—', machineLine(r.machine), `${loadLine(r.machine)}${warning ? ' ⚠️' : ''}`]);
  }
  md.push(table(['scenario', 'date', 'run', 'node', 'machine', 'load average (start → end)'], runRows), '');
  if (warnings.length) md.push('> [!WARNING]', '> Shared machine:', ...warnings.map((w) => `> - ${w}`), '');

  // Goals
  md.push('## Goals', '');
  const goalRows = [];
  for (const name of names) for (const g of goalsOf(results.get(name))) goalRows.push([`[${meta(name).title}](#${slug(meta(name).title)})`, g.goal, withUnit(g.value, g.unit), status(g), distance(g)]);
  const missing = names.filter((n) => results.has(n) && !goalsOf(results.get(n)).length).map((n) => meta(n).title);
  if (goalRows.length) md.push(table(['scenario', 'goal', 'measured', 'status', 'by how much'], goalRows), '');
  else md.push('No scenario has recorded goals yet.', '');
  const missed = goalRows.filter((r) => r[3].startsWith('❌')).length;
  if (goalRows.length) md.push(`${goalRows.length - missed} of ${goalRows.length} goals met${missed ? `; each missed goal is explained in its scenario's section` : ''}.${missing.length ? ` No goals recorded by: ${missing.join(', ')}.` : ''}`, '');

  // Scenarios
  for (const name of names) {
    const m = meta(name);
    const r = results.get(name);
    md.push(`## ${m.title}`, '');
    const about = typeof r?.details?.description === 'string' ? r.details.description : m.about;
    if (about) md.push(about, '');
    const error = errors.find((e) => e.name === name);
    if (!r) {
      md.push(error ? `_The result file \`bench/results/${error.file}\` could not be read (${error.message})._` : `_Not measured yet_ (\`node bench/run.mjs ${name}\` writes \`bench/results/${name}.json\`).`, '');
      continue;
    }
    md.push(`\`bench/results/${r.file}\` · ${fmtDate(r.date)} · ${r.quick ? 'quick run' : 'full run'} · Node ${r.node ?? '—'} · ${machineLine(r.machine)} · load average ${loadLine(r.machine)}`, '');
    const warning = loadWarning(r.machine);
    if (warning) md.push(`> [!WARNING]\n> ${warning[0].toUpperCase()}${warning.slice(1)}.`, '');

    // Charts
    const declared = Array.isArray(r.details?.charts);
    const charts = (declared ? r.details.charts : defaultCharts(r)).map(normalizeChart);
    for (const chart of charts) {
      if (chart.error) {
        md.push(`_A chart was skipped: ${chart.error}._`, '');
        continue;
      }
      const id = chartId(name, chart);
      svgs.set(`${id}.svg`, chart.kind === 'histogram' ? histogramSvg(chart) : barsSvg(chart));
      md.push(`![${chart.title}](${svgRel}/${id}.svg)`, '');
      if (typeof chart.note === 'string') md.push(chart.note, '');
    }

    // Goals of this scenario, with what a miss costs
    const goals = goalsOf(r);
    if (goals.length) {
      md.push('**Goals**', '');
      for (const g of goals) {
        const by = distance(g);
        md.push(`- ${status(g)} — ${g.goal}: ${withUnit(g.value, g.unit)}${by !== '—' && by !== 'not stated' ? `; ${by}` : ''}.`);
        if (g.met === false) {
          const prof = profileTable(g.profile);
          const shares = profilesOf(r).map(([label, p]) => [label, topShares(p)]).filter(([, t]) => t);
          if (typeof g.dominant === 'string') md.push(`  What dominates the cost: ${g.dominant}`);
          if (prof) md.push('', ...prof.split('\n').map((l) => (l ? `  ${l}` : '')));
          else if (shares.length && typeof g.dominant !== 'string') md.push(`  Where the time goes (the scenario's profile${shares.length > 1 ? 's' : ''}, self time): ${shares.map(([label, t]) => `${label ? `${label}: ` : ''}${t}`).join('; ')}.`);
          else if (typeof g.dominant !== 'string') md.push('  _No profile recorded for this miss._');
        }
      }
      md.push('');
    }

    // Figures
    const figures = Object.entries(r.figures ?? {}).filter(([, f]) => f && typeof f === 'object');
    if (figures.length) {
      md.push(
        table(
          ['figure', 'median', 'min–max', 'unit', 'runs'],
          figures.map(([n, f]) => [`\`${n}\``, fmt(f.median), num(f.min) !== undefined && num(f.max) !== undefined ? (f.min === f.max ? fmt(f.min) : `${fmt(f.min)}–${fmt(f.max)}`) : '—', f.unit ?? '', Array.isArray(f.runs) ? f.runs.length : '—']),
        ),
        '',
      );
    } else md.push('_No figures in the result file._', '');

    const ratios = Object.entries(r.ratios ?? {}).filter(([, v]) => v && num(v.value) !== undefined);
    if (ratios.length) {
      md.push('**Ratios** (of medians)', '');
      md.push(table(['ratio', 'value', 'of ÷ to'], ratios.map(([n, v]) => [`\`${n}\``, `${v.value.toFixed(2)}×`, `\`${v.of}\` ÷ \`${v.to}\``])), '');
    }

    for (const [label, p] of profilesOf(r)) {
      const t = profileTable(p);
      if (t) md.push(`**Profile${label ? `: ${label}` : ''}**`, '', t, '');
    }

    for (const t of detailTables(r.details)) md.push(t, '');

    const notes = Array.isArray(r.notes) ? r.notes.filter((n) => typeof n === 'string') : [];
    if (notes.length) md.push('**Notes**', '', ...notes.map((n) => `- ${n}`), '');
  }

  return { markdown: `${md.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`, svgs, svgDir, outFile };
}

/** Where a run writes: the committed doc, or (quick) next to the quick results. */
export function targets(quick = false) {
  return quick ? { resultsDir: join(here, 'results', 'tmp'), outFile: join(here, 'results', 'tmp', 'performance.md'), quick } : { resultsDir: join(here, 'results'), outFile: join(root, 'docs', 'performance.md'), quick };
}

/** Files that differ from what the results give (paths relative to the repository), [] when up to date. */
export function staleFiles(quick = false) {
  const { markdown, svgs, svgDir, outFile } = renderDoc(targets(quick));
  const stale = [];
  const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  if (read(outFile) !== markdown) stale.push(outFile);
  for (const [name, text] of svgs) if (read(join(svgDir, name)) !== text) stale.push(join(svgDir, name));
  if (existsSync(svgDir)) for (const f of readdirSync(svgDir)) if (f.endsWith('.svg') && !svgs.has(f)) stale.push(join(svgDir, f));
  return stale.map((f) => relative(root, f));
}

/** Writes the doc and its charts (removing charts no longer generated); returns the markdown's path. */
export function writeDoc(quick = false) {
  const { markdown, svgs, svgDir, outFile } = renderDoc(targets(quick));
  mkdirSync(svgDir, { recursive: true });
  for (const f of readdirSync(svgDir)) if (f.endsWith('.svg') && !svgs.has(f)) rmSync(join(svgDir, f));
  for (const [name, text] of svgs) writeFileSync(join(svgDir, name), text);
  writeFileSync(outFile, markdown);
  return { outFile: relative(root, outFile), charts: svgs.size };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  if (process.argv.includes('--check')) {
    const stale = staleFiles(quick);
    if (stale.length) {
      console.error(`Out of date with the results: ${stale.join(', ')}. Run \`node bench/render-doc.mjs${quick ? ' --quick' : ''}\`.`);
      process.exit(1);
    }
    console.log('performance doc is up to date');
  } else {
    const { outFile, charts } = writeDoc(quick);
    console.log(`wrote ${outFile} (${charts} charts)`);
  }
}
