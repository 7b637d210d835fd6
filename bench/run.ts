/**
 * `npm run bench`: sigtrail against DuckDB, jq and a Node parser on generated data, side by side
 * in one run. See bench/README.md for how to read the output.
 *
 *   npm run bench                          # 100k and 1M events, 3 rounds
 *   npm run bench -- --events 10000000     # one size (repeat --events for several)
 *   npm run bench -- --smoke               # a few thousand events, one round (CI)
 *   npm run bench -- --only cloudtrail-ndjson --rounds 5 --compare /tmp/sigtrail-main
 *   npm run bench -- --events 10000000 --only cloudtrail-ndjson --rounds 1 --skip jq,naive
 *   npm run bench -- --store bench/data/.scratch/cloudtrail-ndjson-10000000-sigtrail.duckdb   # analyses only
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAnalysisStore, measureAnalyses, measureScan, type QueryEnvironment } from './queries.js';
import { compileChildren, ensureBuilt } from './compile.js';
import { contendersFor, type Environment, type Role } from './contenders.js';
import { ensureData, type DataKind, type DataSet } from './generate.js';
import { measure } from './measure.js';
import { machine, markdown, summarise, writeResults, type Row } from './report.js';
import { checkTargets, targetsMarkdown } from './targets.js';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const KINDS: readonly DataKind[] = ['cloudtrail-ndjson', 'cloudtrail-s3', 'github-audit', 'rekor'];
const ROLES: readonly Role[] = ['sigtrail', 'baseline', 'floor', 'jq', 'naive'];

const { values } = parseArgs({
  options: {
    events: { type: 'string', multiple: true },
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    compare: { type: 'string' },
    skip: { type: 'string' },
    'no-queries': { type: 'boolean', default: false },
    store: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`npm run bench -- [--events N]… [--smoke] [--rounds K] [--only kind,kind] [--skip role,role] [--compare <checkout>] [--no-queries] [--store <db>]
kinds: ${KINDS.join(', ')}; roles: ${ROLES.join(', ')}\n`);
  process.exit(0);
}

const log = (s: string): void => void process.stderr.write(`${s}\n`);

function sizes(): number[] {
  if (values.smoke) return [2000];
  const raw = (values.events ?? ['100000', '1000000']).flatMap((v) => v.split(','));
  const out = raw.map((v) => Number(v.replace(/_/g, '')));
  if (out.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`--events wants whole numbers ≥ 100, got ${raw.join(', ')}`);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Rekor entries are ~4 KB and signed one by one; a tenth of the event count keeps generation sane. */
function recordsFor(kind: DataKind, n: number): number {
  return kind === 'rekor' ? Math.max(100, Math.round(n / 10)) : n;
}

function sigtrailSources(): Environment['sources'] {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'sigtrail.js'), '--format', 'json', 'sources'], { encoding: 'utf8' });
  return (JSON.parse(out) as { id: string; title: string; emits: string[] }[]).map((s) => ({ id: s.id, title: s.title, emits: s.emits }));
}

function hasJq(): boolean {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function duckdbVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs every contender of a set for `rounds` rounds, rotating the order so none always goes first. */
async function measureSet(set: DataSet, env: Environment, rounds: number, skip: readonly string[]): Promise<Row[]> {
  const contenders = contendersFor(set, env).filter((c) => !skip.includes(c.role));
  const rows: Row[] = contenders.map((c) => ({
    set: set.kind, contender: c.name, role: c.role, records: set.records, bytes: set.bytes, samples: [], skipped: c.skip,
  }));
  const runnable = contenders.map((c, i) => ({ c, row: rows[i] })).filter(({ c }) => !c.skip);
  for (let round = 0; round < rounds; round++) {
    const order = runnable.slice(round % runnable.length).concat(runnable.slice(0, round % runnable.length));
    for (const { c, row } of order) {
      c.prepare?.();
      log(`  ${set.kind} × ${set.records.toLocaleString('en-US')}: ${c.name} (round ${round + 1}/${rounds})`);
      const m = await measure(c.cmd, c.args, { stdout: c.discardStdout ? 'discard' : 'capture', timeoutSeconds: 3600 });
      row.samples.push({ round, seconds: m.seconds, cpuSeconds: m.cpuSeconds, peakRssBytes: m.peakRssBytes, note: c.check?.(m) });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const smoke = values.smoke === true;
  const rounds = Number(values.rounds ?? (smoke ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds wants a whole number ≥ 1');
  const only = values.only ? values.only.split(',') : [...KINDS];
  const unknown = only.filter((k) => !KINDS.includes(k as DataKind));
  if (unknown.length) throw new Error(`unknown --only kind ${unknown.join(', ')} (kinds: ${KINDS.join(', ')})`);
  const skip = values.skip ? values.skip.split(',') : [];
  const badRole = skip.filter((r) => !ROLES.includes(r as Role) || r === 'floor' || r === 'sigtrail');
  if (badRole.length) throw new Error(`--skip takes ${ROLES.filter((r) => r !== 'floor' && r !== 'sigtrail').join(', ')} (the floor and sigtrail always run)`);
  const dataDir = path.join(BENCH, 'data');
  const scratch = path.join(dataDir, '.scratch');
  fs.mkdirSync(scratch, { recursive: true });

  ensureBuilt(ROOT, log);
  const baseline = values.compare ? path.resolve(values.compare) : undefined;
  if (baseline && !fs.existsSync(path.join(baseline, 'bin', 'sigtrail.js'))) throw new Error(`--compare: no bin/sigtrail.js in ${baseline}`);
  const env: Environment = {
    root: ROOT, baseline, scratch,
    children: compileChildren(BENCH, path.join(ROOT, 'node_modules', '.cache', 'sigtrail-bench')),
    jq: hasJq(),
    sources: sigtrailSources(),
  };
  const qenv: QueryEnvironment = { root: ROOT, scratch, rounds, log, maxAnalyses: smoke ? 3 : undefined };
  const rows: Row[] = [];
  const started = Date.now();

  if (values.store) {
    // The analyses alone, on a store an earlier run left (a 10M-event ingest takes a quarter of an hour).
    const store = path.resolve(values.store);
    const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'sigtrail.js'), '--db', store, '--format', 'json', 'sql', 'SELECT count(*) AS n FROM events'], { encoding: 'utf8' });
    const n = Number((JSON.parse(out) as { n: number }[])[0].n);
    rows.push(...(await measureAnalyses(qenv, store, n, `queries on a ${n.toLocaleString('en-US')}-event store`)));
  }
  for (const n of values.store ? [] : sizes()) {
    const sets: DataSet[] = [];
    for (const kind of only as DataKind[]) sets.push(await ensureData(dataDir, kind, recordsFor(kind, n), log));
    for (const set of sets) rows.push(...(await measureSet(set, env, rounds, skip)));

    // The query side runs on the CloudTrail store the last ingest round left, plus the other sources.
    const ct = sets.find((s) => s.kind === 'cloudtrail-ndjson');
    const ctDb = path.join(scratch, `cloudtrail-ndjson-${n}-sigtrail.duckdb`);
    if (values['no-queries'] || !ct || !fs.existsSync(ctDb)) continue;
    const store = path.join(scratch, `analysis-${n}.duckdb`);
    log(`  building the analysis store (${n.toLocaleString('en-US')} CloudTrail events + the other sources)`);
    buildAnalysisStore(qenv, ctDb, store, sets.filter((s) => s.kind === 'github-audit' || s.kind === 'rekor').map((s) => s.input));
    const label = `queries on a ${n.toLocaleString('en-US')}-event store`;
    rows.push(...(await measureAnalyses(qenv, store, n, label)));
    const day = await ensureData(dataDir, 'cloudtrail-newday', Math.max(100, Math.round(n / 30)), log);
    rows.push(await measureScan(qenv, store, path.dirname(day.input), n, day.bytes, label));
  }

  const summary = summarise(rows);
  const targets = checkTargets(rows, summary);
  const table = markdown(summary);
  const m = machine(duckdbVersion(), loadAtStart);
  const date = new Date();
  process.stdout.write(`\n## sigtrail benchmark, ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n`);
  process.stdout.write(`${m.cpus} × ${m.model}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node}, DuckDB ${m.duckdb}; `
    + `load average ${m.loadAverage.start[0].toFixed(1)} → ${m.loadAverage.end[0].toFixed(1)}; ${rounds} round(s), medians\n\n`);
  process.stdout.write(`${table}\n\n${targetsMarkdown(targets)}\n`);
  const payload = { date: date.toISOString(), machine: m, options: { sizes: values.store ? [] : sizes(), rounds, only, skip, smoke, compare: baseline ?? null, store: values.store ?? null }, seconds: (Date.now() - started) / 1000, summary, targets, rows };
  // Smoke runs (CI) keep their JSON with the data, out of the tracked results.
  const file = writeResults(smoke ? path.join(dataDir, 'results') : path.join(BENCH, 'results'), payload, date);
  log(`\nresults: ${path.relative(process.cwd(), file)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
