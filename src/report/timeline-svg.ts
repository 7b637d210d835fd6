/**
 * The timeline chart: one inline SVG with the exposure window shaded, its bounds marked, and three
 * lanes — signatures (by verdict), key/secret events, findings (by severity, high and critical
 * ones highlighted across the chart).
 *
 * Marks that fall on the same pixel column are merged into one mark whose tooltip gives the count,
 * so a 10k-signature case draws a few hundred elements, not ten thousand. Times that are not
 * ISO-8601 are left out of the chart (they are still listed in the tables).
 */
import type { IsoTime, ReportModel } from './model.js';
import { severityRank, worstFirst } from './model.js';
import { attrText } from './text.js';

const W = 1000;
const LEFT = 130;
const RIGHT = 980;
const LANE_H = 36;
const LANES = ['Signatures', 'Key / secret events', 'Findings'] as const;
/** Width of the pixel column in which marks merge. */
const BIN = 3;

const TLOG_SOURCE = /rekor|sigstore/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function ms(t: IsoTime | null | undefined): number | null {
  if (typeof t !== 'string' || !ISO.test(t)) return null;
  const v = Date.parse(t);
  return Number.isNaN(v) ? null : v;
}

function label(msValue: number, withTime: boolean): string {
  const iso = new Date(msValue).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

const VERDICT_CLASS: Readonly<Record<string, string>> = { attested: 'v-attested', unattested: 'v-unattested', anomalous: 'v-anomalous' };
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

function eventClass(action: string): string | null {
  if (action.startsWith('key.')) return 'k-key';
  if (action.startsWith('secret.')) return 'k-secret';
  if (action === 'ci.secret_change') return 'k-ci';
  return null;
}

interface Bin {
  x: number;
  cls: string;
  n: number;
  first: number;
  last: number;
  labels: Map<string, number>;
}

function binned(points: { t: number; cls: string; label: string }[], x: (t: number) => number): Bin[] {
  const bins = new Map<string, Bin>();
  for (const p of points) {
    const px = Math.round(x(p.t) / BIN) * BIN;
    const key = `${px}|${p.cls}`;
    let b = bins.get(key);
    if (!b) {
      b = { x: px, cls: p.cls, n: 0, first: p.t, last: p.t, labels: new Map() };
      bins.set(key, b);
    }
    b.n++;
    b.first = Math.min(b.first, p.t);
    b.last = Math.max(b.last, p.t);
    b.labels.set(p.label, (b.labels.get(p.label) ?? 0) + 1);
  }
  return [...bins.values()];
}

function tooltip(b: Bin): string {
  const when = b.first === b.last ? new Date(b.first).toISOString() : `${new Date(b.first).toISOString()} – ${new Date(b.last).toISOString()}`;
  const parts = [...b.labels.entries()].sort((a, c) => c[1] - a[1]).slice(0, 6).map(([l, n]) => (n > 1 ? `${l} ×${n}` : l));
  const more = b.labels.size > 6 ? ` and ${b.labels.size - 6} more kinds` : '';
  return `${when}\n${parts.join('\n')}${more}`;
}

/** A time range to draw instead of the whole case (the detail chart). */
export interface ChartRange {
  from: number;
  to: number;
}

export interface ChartOptions {
  /** Element id of the `<svg>` (one of sigtrail's constants). */
  id: string;
  title: string;
  range?: ChartRange;
}

/** Bound labels that would overlap go on the next row up; at most LABEL_ROWS rows. */
const LABEL_ROWS = 4;
const LABEL_ROW_H = 12;
const CHAR_W = 6.2;

function placeLabels(bounds: { name: string; x: number }[]): { name: string; x: number; row: number; anchor: string }[] {
  const ends: number[] = [];
  return [...bounds]
    .sort((a, b) => a.x - b.x)
    .map((b) => {
      const text = b.name.replace('_', ' ');
      const w = text.length * CHAR_W;
      const anchor = b.x - w / 2 < 2 ? 'start' : b.x + w / 2 > W - 2 ? 'end' : 'middle';
      const from = anchor === 'start' ? b.x : anchor === 'end' ? b.x - w : b.x - w / 2;
      let row = ends.findIndex((end) => end + 6 < from);
      if (row === -1) row = ends.length < LABEL_ROWS ? ends.length : ends.length - 1;
      ends[row] = from + w;
      return { name: text, x: b.x, row, anchor };
    });
}

/** The SVG chart for the model (a string of trusted markup; every data value escaped). */
export function renderTimelineSvg(model: ReportModel, options: ChartOptions): string {
  const w = model.window;
  const range = options.range;
  const inRange = (t: number | null): t is number => t !== null && (!range || (t >= range.from && t <= range.to));
  const sigs = model.signed
    .map((s) => ({ t: ms(s.integrated_time), cls: VERDICT_CLASS[s.verdict] ?? 'v-unknown', label: `signature ${s.verdict}` }))
    .filter((p): p is { t: number; cls: string; label: string } => inRange(p.t));
  // Signatures are drawn in their own lane; the timeline repeats them as key.sign rows from the log.
  const events = model.timeline
    .filter((e) => !TLOG_SOURCE.test(e.source))
    .map((e) => ({ t: ms(e.ts), cls: eventClass(e.action), label: e.action }))
    .filter((p): p is { t: number; cls: string; label: string } => inRange(p.t) && p.cls !== null);
  const findings = worstFirst(model.findings)
    .map((f) => ({ t: ms(f.ts), cls: SEVERITIES.includes(f.severity) ? `s-${f.severity}` : 's-unknown', label: `${f.severity} ${f.rule}`, rank: severityRank(f.severity) }))
    .filter((p): p is { t: number; cls: string; label: string; rank: number } => inRange(p.t));
  const bounds = (['earliest_possible', 'first_evidence', 'contained_at', 'last_use'] as const)
    .map((b) => ({ name: b, t: ms(w[b]) }))
    .filter((b): b is { name: (typeof b)['name']; t: number } => inRange(b.t));

  let lo = Infinity;
  let hi = -Infinity;
  if (range) {
    lo = range.from;
    hi = range.to;
  } else {
    // A loop, not Math.min(...all): spreading 100k arguments overflows the stack.
    for (const p of [...sigs, ...events, ...findings, ...bounds]) {
      if (p.t < lo) lo = p.t;
      if (p.t > hi) hi = p.t;
    }
    if (lo === Infinity) return '<p class="empty">No timestamped signatures, key events, findings or window bounds to chart.</p>';
    if (hi - lo < 60_000) {
      lo -= 3_600_000;
      hi += 3_600_000;
    }
    const pad = (hi - lo) * 0.02;
    lo -= pad;
    hi += pad;
  }
  const x = (t: number): number => LEFT + ((Math.min(hi, Math.max(lo, t)) - lo) / (hi - lo)) * (RIGHT - LEFT);
  const labels = placeLabels(bounds.map((b) => ({ name: b.name, x: x(b.t) })));
  const labelRows = Math.max(1, ...labels.map((l) => l.row + 1));
  const top = 10 + labelRows * LABEL_ROW_H + 10;
  const laneY = (i: number): number => top + i * LANE_H;
  const axisY = top + LANES.length * LANE_H + 6;
  const height = axisY + 40;
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${options.id}-title" id="${options.id}">`,
    `<title id="${options.id}-title">${attrText(options.title)}</title>`,
  );
  LANES.forEach((name, i) => {
    out.push(`<rect class="lane" x="${LEFT}" y="${laneY(i) + 2}" width="${RIGHT - LEFT}" height="${LANE_H - 4}"/>`);
    out.push(`<text x="4" y="${laneY(i) + LANE_H / 2 + 4}">${name}</text>`);
  });

  // The window: from the earliest possible exposure to containment, or to the chart's end while open.
  const start = ms(w.earliest_possible) ?? ms(w.first_evidence);
  if (start !== null && start <= hi) {
    const contained = ms(w.contained_at);
    const end = contained ?? (w.open ? hi : ms(w.last_use) ?? hi);
    const y = top - 4;
    const h = LANES.length * LANE_H + 6;
    if (end >= lo) {
      out.push(`<rect class="win" x="${x(start).toFixed(1)}" y="${y}" width="${Math.max(1, x(end) - x(start)).toFixed(1)}" height="${h}" opacity="0.55"><title>Exposure window${contained !== null ? ' until containment' : ''}</title></rect>`);
    }
    if (w.open && contained !== null && contained <= hi) {
      // Used after containment: the window is open again from containment to the chart's end.
      out.push(`<rect class="win-open" x="${x(contained).toFixed(1)}" y="${y}" width="${Math.max(1, x(hi) - x(contained)).toFixed(1)}" height="${h}" opacity="0.6"><title>Open: key used after containment</title></rect>`);
    }
  }
  for (const b of bounds) {
    const bx = x(b.t).toFixed(1);
    out.push(`<line class="bound" x1="${bx}" x2="${bx}" y1="${top - 6}" y2="${axisY}"><title>${b.name} ${attrText(new Date(b.t).toISOString())}</title></line>`);
  }
  for (const l of labels) {
    out.push(`<text x="${l.x.toFixed(1)}" y="${10 + (labelRows - l.row) * LABEL_ROW_H}" text-anchor="${l.anchor}">${l.name}</text>`);
  }

  // Findings of high severity are drawn as a faint line through every lane, then as marks.
  for (const f of findings.filter((p) => p.rank >= 3)) {
    const fx = x(f.t).toFixed(1);
    out.push(`<line class="hl" x1="${fx}" x2="${fx}" y1="${top}" y2="${axisY - 6}"/>`);
  }
  for (const b of binned(sigs, x)) {
    out.push(`<rect class="${b.cls}" x="${b.x - 1}" y="${laneY(0) + 8}" width="2.5" height="${LANE_H - 16}"><title>${attrText(`${b.n} signature${b.n === 1 ? '' : 's'}: ${tooltip(b)}`)}</title></rect>`);
  }
  for (const b of binned(events, x)) {
    out.push(`<circle class="${b.cls}" cx="${b.x}" cy="${laneY(1) + LANE_H / 2}" r="${b.n > 1 ? 5 : 4}"><title>${attrText(`${b.n} event${b.n === 1 ? '' : 's'}: ${tooltip(b)}`)}</title></circle>`);
  }
  // Worst severities are drawn last, so they sit on top.
  const fBins = binned(findings, x).sort((a, c) => SEVERITIES.indexOf(c.cls.slice(2)) - SEVERITIES.indexOf(a.cls.slice(2)));
  for (const b of fBins) {
    const cy = laneY(2) + LANE_H / 2;
    const r = 7;
    out.push(`<path class="${b.cls}" d="M${b.x} ${cy - r}L${b.x + r} ${cy}L${b.x} ${cy + r}L${b.x - r} ${cy}Z"><title>${attrText(`${b.n} finding${b.n === 1 ? '' : 's'}: ${tooltip(b)}`)}</title></path>`);
  }

  out.push(`<line class="axis" x1="${LEFT}" x2="${RIGHT}" y1="${axisY}" y2="${axisY}"/>`);
  const withTime = hi - lo < 10 * 86_400_000;
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const t = lo + ((hi - lo) * i) / ticks;
    const tx = x(t).toFixed(1);
    out.push(`<line class="axis" x1="${tx}" x2="${tx}" y1="${axisY}" y2="${axisY + 5}"/>`);
    out.push(`<text x="${tx}" y="${axisY + 18}" text-anchor="${i === 0 ? 'start' : i === ticks ? 'end' : 'middle'}">${label(t, withTime)}</text>`);
  }
  out.push(`<text x="${RIGHT}" y="${axisY + 34}" text-anchor="end">UTC</text>`);
  out.push('</svg>');
  return out.join('');
}

const DAY = 86_400_000;

/**
 * The range of the detail chart — a day before the first evidence to a day after the last of the
 * later bounds — or undefined when it would not zoom in meaningfully (under 4x).
 */
export function detailRange(model: ReportModel): ChartRange | undefined {
  const first = ms(model.window.first_evidence);
  if (first === null) return undefined;
  const later = [model.window.contained_at, model.window.last_use].map(ms).filter((t): t is number => t !== null);
  const range = { from: first - DAY, to: Math.max(first, ...later) + DAY };
  const all = [model.window.earliest_possible, ...model.signed.map((s) => s.integrated_time), ...model.timeline.map((t) => t.ts)];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all) {
    const t = ms(v);
    if (t === null) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return hi - lo > 4 * (range.to - range.from) ? range : undefined;
}
