/**
 * Turns the measurements of one run into the markdown table (stdout, and the README) and the
 * JSON kept in bench/results/ for comparison over time.
 *
 * Times on these shared machines swing by 2x or more between minutes, so a row reports the
 * median of its rounds, and "× floor" is the median of the per-round ratios against the DuckDB
 * floor measured in the same round, which is what stays comparable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Sample {
  round: number;
  seconds: number;
  cpuSeconds: number | null;
  peakRssBytes: number | null;
  note?: string;
}

export interface Row {
  /** The data set or group, e.g. `cloudtrail-ndjson`. */
  set: string;
  contender: string;
  role: string;
  records: number | null;
  bytes: number | null;
  samples: Sample[];
  /** Why the row was not measured. */
  skipped?: string;
}

export interface Summary {
  set: string;
  contender: string;
  role: string;
  records: number | null;
  bytes: number | null;
  seconds: number | null;
  cpuSeconds: number | null;
  eventsPerSecond: number | null;
  ratioToFloor: number | null;
  peakRssBytes: number | null;
  rounds: number;
  note: string;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per-row medians; ratios pair each round with the floor row of the same set and round. */
export function summarise(rows: readonly Row[]): Summary[] {
  return rows.map((r) => {
    const floor = rows.find((x) => x.set === r.set && x.role === 'floor');
    const ratios = r.samples.flatMap((s) => {
      const f = floor?.samples.find((x) => x.round === s.round);
      return f && r.role !== 'floor' ? [s.seconds / f.seconds] : [];
    });
    const seconds = median(r.samples.map((s) => s.seconds));
    const cpu = median(r.samples.flatMap((s) => (s.cpuSeconds === null ? [] : [s.cpuSeconds])));
    const rss = r.samples.reduce<number | null>((m, s) => (s.peakRssBytes === null ? m : Math.max(m ?? 0, s.peakRssBytes)), null);
    const notes = [...new Set(r.samples.flatMap((s) => (s.note ? [s.note] : [])))];
    return {
      set: r.set,
      contender: r.contender,
      role: r.role,
      records: r.records,
      bytes: r.bytes,
      seconds,
      cpuSeconds: cpu,
      eventsPerSecond: seconds && r.records ? r.records / seconds : null,
      ratioToFloor: r.role === 'floor' ? 1 : median(ratios),
      peakRssBytes: rss,
      rounds: r.samples.length,
      note: r.skipped ?? notes.join('; '),
    };
  });
}

const fmtInt = (n: number | null): string => (n === null ? '' : Math.round(n).toLocaleString('en-US'));
const fmtBytes = (n: number | null): string => {
  if (n === null) return '';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e3).toFixed(0)} kB`;
};
const fmtSec = (n: number | null): string => (n === null ? '' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

/** The markdown table of a run. */
export function markdown(summary: readonly Summary[]): string {
  const head = '| set | contender | events | bytes | seconds | events/s | × floor | peak RSS | notes |\n|---|---|--:|--:|--:|--:|--:|--:|---|';
  const lines = summary.map((s) => `| ${cell(s.set)} | ${cell(s.contender)} | ${fmtInt(s.records)} | ${fmtBytes(s.bytes)} | ${fmtSec(s.seconds)} | ${fmtInt(s.eventsPerSecond)} | ${s.ratioToFloor === null ? '' : `${s.ratioToFloor.toFixed(2)}×`} | ${fmtBytes(s.peakRssBytes)} | ${cell(s.note)} |`);
  return [head, ...lines].join('\n');
}

export interface Machine {
  cpus: number;
  model: string;
  memoryBytes: number;
  node: string;
  duckdb: string;
  platform: string;
  loadAverage: { start: number[]; end: number[] };
}

export function machine(duckdbVersion: string, loadAtStart: number[]): Machine {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    duckdb: duckdbVersion,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: { start: loadAtStart, end: os.loadavg() },
  };
}

/** Writes `<dir>/<date>.json` (or `<date>-2.json` … when a run that day already wrote one). */
export function writeResults(dir: string, payload: unknown, date = new Date()): string {
  fs.mkdirSync(dir, { recursive: true });
  const day = date.toISOString().slice(0, 10);
  let file = path.join(dir, `${day}.json`);
  for (let n = 2; fs.existsSync(file); n++) file = path.join(dir, `${day}-${n}.json`);
  fs.writeFileSync(file, JSON.stringify(payload, null, 2) + '\n');
  return file;
}
