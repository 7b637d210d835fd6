/**
 * The query side: every canned analysis (`sigtrail queries`) run through the CLI against a store
 * built by the ingest measurements, and a nightly `scan` of one new day when the command exists.
 * Both are timed as the user runs them, process start-up included; the CLI's bare start-up
 * (`sigtrail queries`) is measured alongside so it can be told apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { measure, type Measurement } from './measure.js';
import type { Row, Sample } from './report.js';

export interface QueryEnvironment {
  root: string;
  scratch: string;
  rounds: number;
  /** Run only the first few analyses (the smoke run checks the path, not every query). */
  maxAnalyses?: number;
  log: (s: string) => void;
}

interface AnalysisInfo { id: string; params?: string }

/**
 * The compromised key of the generated data, under the aliases it has in each source: the KMS
 * signing key (ARN and alias), where its private half is kept (Secrets Manager, a CI secret) and
 * the keyless identity of the Rekor entries. Investigation (case-scoped) analyses need a key.
 */
export const BENCH_KEYS = [
  'kms:arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'kms:alias/release-signing',
  'secret:release/cosign-key',
  'secret:COSIGN_KEY',
  'identity:https://github.com/acme/*/.github/workflows/release.yml@refs/tags/*',
];

function cli(root: string, args: string[]): string {
  return execFileSync(process.execPath, [path.join(root, 'bin', 'sigtrail.js'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** The analyses the CLI lists (none until queries/ has some). */
export function listAnalyses(root: string): AnalysisInfo[] {
  try {
    return JSON.parse(cli(root, ['--format', 'json', 'queries'])) as AnalysisInfo[];
  } catch {
    return [];
  }
}

/** True when the CLI has a command of that name. */
export function hasCommand(root: string, name: string): boolean {
  return new RegExp(`^\\s+${name}\\b`, 'm').test(cli(root, ['--help']));
}

function sample(round: number, m: Measurement, note?: string): Sample {
  return { round, seconds: m.seconds, cpuSeconds: m.cpuSeconds, peakRssBytes: m.peakRssBytes, note };
}

function rowsOut(stdout: string): number | null {
  try {
    const v = JSON.parse(stdout) as unknown;
    return Array.isArray(v) ? v.length : null;
  } catch {
    return null;
  }
}

/** Times every analysis against `store` (opened read-only by `query`, so rounds do not interfere). */
export async function measureAnalyses(env: QueryEnvironment, store: string, events: number, set: string): Promise<Row[]> {
  const bin = path.join(env.root, 'bin', 'sigtrail.js');
  const startup: Row = { set, contender: 'CLI start-up (sigtrail queries)', role: 'startup', records: null, bytes: null, samples: [] };
  const all = listAnalyses(env.root);
  const analyses = all.slice(0, env.maxAnalyses ?? all.length);
  const rows: Row[] = [startup];
  if (analyses.length < all.length) {
    rows.push({ set, contender: `${all.length - analyses.length} more analyses`, role: 'analysis-skipped', records: null, bytes: null, samples: [], skipped: 'not run in a smoke run' });
  }
  if (analyses.length === 0) {
    rows.push({ set, contender: 'canned analyses', role: 'analysis', records: events, bytes: null, samples: [], skipped: 'no analyses in `sigtrail queries` yet' });
  }
  // Each analysis twice: as the first command on the case (--no-cache: the case is sliced from the
  // store, attributed and judged before the analysis runs), and as a later one, once a first command
  // (`query timeline`, which needs every step) has left the case in <db>.cache.
  const row = (contender: string, role: string): Row => ({ set, contender, role, records: events, bytes: null, samples: [] as Sample[] });
  const warm = new Map(analyses.map((a) => [a.id, row(`query ${a.id}`, 'analysis')]));
  const cold = new Map(analyses.map((a) => [a.id, row(`query ${a.id} --no-cache (first command on the case)`, 'analysis-cold')]));
  const build = row('first command on a case: query timeline, building <db>.cache', 'case-build');
  if (analyses.length > 0) rows.push(build);
  rows.push(...warm.values(), ...cold.values());
  const caseKeys = BENCH_KEYS.flatMap((k) => ['--param', `key=${k}`]);
  const run = async (id: string, extra: string[], target: Row, round: number): Promise<void> => {
    const a = analyses.find((x) => x.id === id);
    const keys = /\bkey:/.test(a?.params ?? 'key:') ? caseKeys : [];
    const m = await measure(process.execPath, [bin, '--db', store, '--format', 'json', ...extra, 'query', id, ...keys], { timeoutSeconds: 600 });
    const n = rowsOut(m.stdout);
    const note = m.code === 0 ? `${n ?? '?'} rows` : `exit ${m.code}: ${m.stderr.trim().split('\n')[0] ?? ''}`;
    target.samples.push(sample(round, m, note));
  };
  for (let round = 0; round < env.rounds; round++) {
    const s = await measure(process.execPath, [bin, '--format', 'json', 'queries']);
    startup.samples.push(sample(round, s, s.code === 0 ? undefined : `exit ${s.code}`));
    if (analyses.length === 0) continue;
    fs.rmSync(`${path.resolve(store)}.cache`, { recursive: true, force: true });
    env.log(`  first command on the case (round ${round + 1})`);
    await run('timeline', [], build, round);
    for (const a of analyses) {
      env.log(`  query ${a.id} (round ${round + 1})`);
      await run(a.id, [], warm.get(a.id)!, round);
      await run(a.id, ['--no-cache'], cold.get(a.id)!, round);
    }
  }
  return rows;
}

function copyDb(from: string, to: string): void {
  for (const ext of ['', '.wal']) {
    fs.rmSync(to + ext, { force: true });
    if (fs.existsSync(from + ext)) fs.copyFileSync(from + ext, to + ext);
  }
}

/**
 * `sigtrail scan --ingest <new day>` against a copy of the store (a scan writes: findings,
 * watermarks), fresh for every round. Exit 1 means "new findings", which is a result, not a failure.
 */
export async function measureScan(env: QueryEnvironment, store: string, newDayDir: string, records: number, bytes: number, set: string): Promise<Row> {
  const row: Row = { set, contender: 'sigtrail scan --ingest <one new day>', role: 'scan', records, bytes, samples: [] };
  if (!hasCommand(env.root, 'scan')) return { ...row, skipped: 'no `scan` command yet' };
  const bin = path.join(env.root, 'bin', 'sigtrail.js');
  const db = path.join(env.scratch, 'scan.duckdb');
  for (let round = 0; round < env.rounds; round++) {
    copyDb(store, db);
    env.log(`  scan (round ${round + 1})`);
    const m = await measure(process.execPath, [bin, '--db', db, '--format', 'json', 'scan', '--ingest', newDayDir], { timeoutSeconds: 900 });
    const note = m.code === 0 ? 'no new findings' : m.code === 1 && m.stdout.trim() ? 'new findings' : `exit ${m.code}: ${m.stderr.trim().split('\n')[0] ?? ''}`;
    row.samples.push(sample(round, m, note));
  }
  return row;
}

/** Copies the ingest store and adds the other sources' data sets to it (untimed). */
export function buildAnalysisStore(env: QueryEnvironment, from: string, to: string, extraInputs: readonly string[]): void {
  copyDb(from, to);
  for (const input of extraInputs) {
    try {
      cli(env.root, ['--db', to, '--format', 'json', 'ingest', input]);
    } catch (e) {
      env.log(`  (could not add ${input} to the analysis store: ${String(e).split('\n')[0]})`);
    }
  }
}
