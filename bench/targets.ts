/**
 * The targets of issue 10, checked against one run's summary. A target whose measurement is not
 * in the run (too small a size, a missing command) says so rather than passing.
 */
import type { Row, Summary } from './report.js';

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean | null;
}

const GB = 1e9;

/** A store's event count is its input's less duplicates and rejects (a store given with --store). */
function near(records: number | null, size: number): boolean {
  return records !== null && Math.abs(records - size) <= size * 0.01;
}

function medianRatio(rows: readonly Row[], set: string, records: number, num: string, den: string): number | null {
  const a = rows.find((r) => r.set === set && r.records === records && r.role === num);
  const b = rows.find((r) => r.set === set && r.records === records && r.role === den);
  if (!a || !b) return null;
  const xs = a.samples.flatMap((s) => {
    const o = b.samples.find((x) => x.round === s.round);
    return o ? [s.seconds / o.seconds] : [];
  }).sort((x, y) => x - y);
  if (xs.length === 0) return null;
  const m = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

export function checkTargets(rows: readonly Row[], summary: readonly Summary[]): TargetResult[] {
  const out: TargetResult[] = [];
  const ingest = summary.find((s) => s.set === 'cloudtrail-ndjson' && s.role === 'sigtrail' && s.records === 1_000_000);
  out.push(ingest?.ratioToFloor != null
    ? { target: 'ingest 1M CloudTrail NDJSON ≤ 1.3× the DuckDB floor', measured: `${ingest.ratioToFloor.toFixed(2)}× wall${ingest.cpuRatioToFloor !== null ? `, ${ingest.cpuRatioToFloor.toFixed(2)}× CPU` : ''}`, met: ingest.ratioToFloor <= 1.3 }
    : { target: 'ingest 1M CloudTrail NDJSON ≤ 1.3× the DuckDB floor', measured: 'not measured (needs --events 1000000)', met: null });
  const jq = medianRatio(rows, 'cloudtrail-ndjson', 1_000_000, 'jq', 'sigtrail');
  const jqRow = summary.find((s) => s.set === 'cloudtrail-ndjson' && s.role === 'jq' && s.records === 1_000_000);
  // The floor's own lead over jq bounds what any DuckDB-based loader can reach.
  const floorJq = medianRatio(rows, 'cloudtrail-ndjson', 1_000_000, 'jq', 'floor');
  out.push(jq !== null
    ? { target: 'ingest 1M CloudTrail NDJSON ≥ 10× faster than jq', measured: `${jq.toFixed(1)}× faster${floorJq !== null ? ` (the DuckDB floor itself: ${floorJq.toFixed(1)}×)` : ''}`, met: jq >= 10 }
    : { target: 'ingest 1M CloudTrail NDJSON ≥ 10× faster than jq', measured: jqRow?.note || 'not measured (needs --events 1000000)', met: null });
  for (const [size, limit] of [[1_000_000, 1], [10_000_000, 5]] as const) {
    const analyses = summary.filter((s) => s.role === 'analysis' && near(s.records, size) && s.seconds !== null);
    const slowest = analyses.reduce<Summary | undefined>((m, s) => (!m || (s.seconds ?? 0) > (m.seconds ?? 0) ? s : m), undefined);
    const cold = summary.filter((s) => s.role === 'analysis-cold' && near(s.records, size) && s.seconds !== null);
    const slowestCold = cold.reduce<Summary | undefined>((m, s) => (!m || (s.seconds ?? 0) > (m.seconds ?? 0) ? s : m), undefined);
    const build = summary.find((s) => s.role === 'case-build' && near(s.records, size) && s.seconds !== null);
    const t = `every canned analysis < ${limit} s at ${size / 1e6}M events`;
    const coldText = slowestCold ? `; as the first command on a case (--no-cache) up to ${slowestCold.seconds!.toFixed(2)} s` : '';
    const buildText = build ? `; building the case cache ${build.seconds!.toFixed(2)} s` : '';
    out.push(slowest
      ? {
        target: t,
        measured: `slowest ${slowest.contender}: ${slowest.seconds!.toFixed(2)} s (case cached, process start-up included)${coldText}${buildText}`,
        met: analyses.every((s) => (s.seconds ?? Infinity) < limit && !s.note.startsWith('exit')),
      }
      : { target: t, measured: `not measured (no analyses yet, or no ${size / 1e6}M-event store in this run)`, met: null });
  }
  const scan = summary.find((s) => s.role === 'scan' && s.seconds !== null);
  out.push(scan
    ? { target: 'one-day scan over a 30-day 1M-event store < 5 s', measured: `${scan.seconds!.toFixed(2)} s (${scan.set})`, met: scan.seconds! < 5 && !scan.note.includes('exit') }
    : { target: 'one-day scan over a 30-day 1M-event store < 5 s', measured: 'not measured (no `scan` command yet)', met: null });
  const big = summary.filter((s) => s.role === 'sigtrail' && (s.records ?? 0) >= 10_000_000 && s.peakRssBytes !== null);
  const peak = big.reduce((m, s) => Math.max(m, s.peakRssBytes!), 0);
  out.push(big.length
    ? { target: 'peak RSS < 2 GB ingesting 10M events', measured: `${(peak / GB).toFixed(2)} GB`, met: peak < 2 * GB }
    : { target: 'peak RSS < 2 GB ingesting 10M events', measured: 'not measured (needs --events 10000000)', met: null });
  return out;
}

export function targetsMarkdown(results: readonly TargetResult[]): string {
  const mark = (m: boolean | null): string => (m === null ? '–' : m ? 'met' : 'missed');
  return ['| target | measured | |', '|---|---|---|', ...results.map((r) => `| ${r.target} | ${r.measured} | ${mark(r.met)} |`)].join('\n');
}
