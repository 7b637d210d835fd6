/**
 * What is measured on each data set: `sigtrail ingest` (the real CLI, fresh database), the bare
 * DuckDB projection of the same fields into a database file (the floor), jq and a Node
 * `JSON.parse` loop extracting the same fields. Each is a command line run as a child process.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { objectBytesFor } from '../src/ingest/stage.js';
import { DEFAULT_MEMORY_LIMIT } from '../src/store/database.js';
import type { Measurement } from './measure.js';
import type { DataSet } from './generate.js';
import { CLOUDTRAIL_FIELDS, GITHUB_FIELDS, REKOR_FIELDS, duckdbProjection, jqFilter, jsSteps, type FieldMap } from './fields.js';

export type Role = 'sigtrail' | 'baseline' | 'floor' | 'jq' | 'naive';

export interface Contender {
  /** Row label, e.g. `sigtrail ingest`. */
  name: string;
  role: Role;
  cmd: string;
  args: string[];
  /** Set when the contender cannot run here; the row is printed with this note. */
  skip?: string;
  /** Discard stdout (jq prints a line per record). */
  discardStdout?: boolean;
  /** Called before each run (fresh database). */
  prepare?: () => void;
  /** Checks a finished run; returns a note when something is off, undefined when fine. */
  check?: (m: Measurement) => string | undefined;
}

export interface Environment {
  root: string;
  /** A second sigtrail checkout to measure side by side (`--compare`), or undefined. */
  baseline?: string;
  scratch: string;
  children: Record<string, string>;
  jq: boolean;
  /** `sigtrail sources` ids, emits and titles, to tell whether an adapter exists yet. */
  sources: { id: string; title: string; emits: string[] }[];
}

/** How each kind of data set is read by the non-sigtrail contenders. */
interface Shape {
  fields: FieldMap;
  /** Records sit in this array of a whole-document file (S3 objects). */
  unwrap?: string;
  /** Each line is `{"<uuid>": entry}` (Rekor v1 API): the fields are read from the entry. */
  keyed?: boolean;
  /** Which adapter must exist for sigtrail to read it. */
  adapter: (s: Environment['sources'][number]) => boolean;
  adapterName: string;
}

const SHAPES: Record<DataSet['kind'], Shape> = {
  'cloudtrail-ndjson': { fields: CLOUDTRAIL_FIELDS, adapter: (s) => s.emits.includes('aws.cloudtrail'), adapterName: 'aws-cloudtrail' },
  'cloudtrail-newday': { fields: CLOUDTRAIL_FIELDS, adapter: (s) => s.emits.includes('aws.cloudtrail'), adapterName: 'aws-cloudtrail' },
  'cloudtrail-s3': { fields: CLOUDTRAIL_FIELDS, unwrap: 'Records', adapter: (s) => s.emits.includes('aws.cloudtrail'), adapterName: 'aws-cloudtrail' },
  'github-audit': { fields: GITHUB_FIELDS, adapter: (s) => s.emits.includes('github.audit'), adapterName: 'GitHub audit log' },
  rekor: { fields: REKOR_FIELDS, keyed: true, adapter: (s) => /rekor|sigstore|transparency/i.test(`${s.id} ${s.title}`), adapterName: 'Rekor' },
};

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * maximum_object_size for whole-file objects, fitted to the set's largest decoded file as sigtrail
 * fits its own (objectBytesFor): DuckDB's read buffers are twice this size, and 256 MiB ran the
 * floor out of its 1 GB limit on 100 kB S3 objects.
 */
function objectBytes(set: DataSet): number {
  const sizes = inputFiles(set).map((f) => (f.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(f)).length : fs.statSync(f).size));
  return objectBytesFor({ decodedBytes: Math.max(0, ...sizes) });
}

/** The floor: one CREATE TABLE AS SELECT of the same fields, with DuckDB's own typed reader. */
export function floorSql(set: DataSet): string {
  const shape = SHAPES[set.kind];
  const glob = sqlString(set.glob);
  if (shape.keyed) {
    const cols = Object.entries(shape.fields).map(([name, p]) => `e.value ->> ${sqlString(p)} AS "${name}"`);
    return `CREATE TABLE t AS SELECT e.key AS uuid, ${cols.join(', ')}
            FROM read_json_objects(${glob}, format = 'newline_delimited', ignore_errors = true) r, json_each(r.json) e`;
  }
  const p = duckdbProjection(shape.fields);
  if (shape.unwrap) {
    const rec = duckdbProjection(shape.fields, 'r');
    const type = p.columns.replace(/^\{/, 'STRUCT(').replace(/\}$/, ')').replace(/'([^']+)': '((?:[^']|'')*)'/g, (_m, k: string, t: string) => `"${k}" ${t.replace(/''/g, "'")}`);
    return `CREATE TABLE t AS SELECT ${rec.select}
            FROM (SELECT unnest(${shape.unwrap}) AS r FROM read_json(${glob}, format = 'auto', compression = 'gzip',
                  maximum_object_size = ${objectBytes(set)}, columns = {${sqlString(shape.unwrap)}: ${sqlString(`${type}[]`)}}))`;
  }
  return `CREATE TABLE t AS SELECT ${p.select}
          FROM read_json(${glob}, format = 'newline_delimited', ignore_errors = true, columns = ${p.columns})`;
}

function inputFiles(set: DataSet): string[] {
  if (fs.statSync(set.input).isFile()) return [set.input];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(set.input);
  return out;
}

interface IngestRow { records: number; inserted: number; duplicates: number; rejected: number; source: string }

/** Compares sigtrail's summary with what the generator put in the data. */
function ingestCheck(set: DataSet): (m: Measurement) => string | undefined {
  return (m) => {
    if (m.code !== 0) return `exit ${m.code}: ${m.stderr.trim().split('\n').pop() ?? ''}`;
    let rows: IngestRow[];
    try {
      rows = JSON.parse(m.stdout) as IngestRow[];
    } catch {
      return 'unreadable ingest summary';
    }
    const unrecognised = rows.filter((r) => r.source.startsWith('('));
    if (unrecognised.length) return `not recognised by any adapter (${unrecognised.map((r) => r.source).join(', ')})`;
    const sum = (k: keyof Omit<IngestRow, 'source'>): number => rows.reduce((n, r) => n + r[k], 0);
    const got = { records: sum('records'), inserted: sum('inserted'), duplicates: sum('duplicates'), rejected: sum('rejected') };
    const want = { records: set.records, ...set.expect };
    const off = (Object.keys(want) as (keyof typeof want)[]).filter((k) => got[k] !== want[k]);
    return off.length ? `counts differ: ${off.map((k) => `${k} ${got[k]} (expected ${want[k]})`).join(', ')}` : undefined;
  };
}

/** The contenders for one data set, in a fixed order (the runner rotates it between rounds). */
export function contendersFor(set: DataSet, env: Environment): Contender[] {
  const shape = SHAPES[set.kind];
  const node = process.execPath;
  const slug = `${set.kind}-${set.records}`;
  const out: Contender[] = [];
  const adapter = env.sources.find(shape.adapter);
  const ingestOf = (name: string, role: Role, root: string): Contender => {
    const db = path.join(env.scratch, `${slug}-${role}.duckdb`);
    return {
      name, role, cmd: node,
      args: [path.join(root, 'bin', 'sigtrail.js'), '--db', db, '--format', 'json', 'ingest', set.input],
      skip: adapter ? undefined : `no ${shape.adapterName} adapter in \`sigtrail sources\` yet`,
      prepare: () => removeDb(db),
      check: ingestCheck(set),
    };
  };
  out.push(ingestOf('sigtrail ingest', 'sigtrail', env.root));
  if (env.baseline) out.push(ingestOf('sigtrail ingest (--compare build)', 'baseline', env.baseline));

  const floorDb = path.join(env.scratch, `${slug}-floor.duckdb`);
  out.push({
    name: 'duckdb CREATE TABLE AS read_json (floor)', role: 'floor', cmd: node,
    args: [env.children.floor, floorDb, floorSql(set), process.env.SIGTRAIL_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT],
    prepare: () => removeDb(floorDb),
    check: (m) => (m.code !== 0 ? `exit ${m.code}: ${m.stderr.trim().split('\n')[0] ?? ''}` : undefined),
  });

  const files = inputFiles(set);
  const gz = files.some((f) => f.endsWith('.gz'));
  const filter = shape.keyed
    ? `to_entries[] | [.key] + (.value | ${jqFilter(shape.fields)})`
    : jqFilter(shape.fields, shape.unwrap);
  // -R + fromjson? skips a malformed line as DuckDB's ignore_errors does, instead of stopping there.
  const program = shape.unwrap ? filter : `fromjson? | ${filter}`;
  const flags = shape.unwrap ? '-c' : '-cR';
  out.push({
    name: 'jq', role: 'jq',
    cmd: gz ? '/bin/sh' : 'jq',
    args: gz
      ? ['-c', 'p="$1"; shift; for f in "$@"; do gzip -dc "$f"; done | jq ' + flags + ' "$p"', 'sh', program, ...files]
      : [flags, program, ...files],
    discardStdout: true,
    skip: env.jq ? undefined : 'jq is not installed (apt-get install -y jq)',
    check: (m) => (m.code !== 0 ? `exit ${m.code}: ${m.stderr.trim().split('\n')[0] ?? ''}` : undefined),
  });

  const stepsFile = path.join(env.scratch, `${slug}-steps.json`);
  fs.writeFileSync(stepsFile, JSON.stringify(jsSteps(shape.fields)));
  out.push({
    name: 'node readline + JSON.parse', role: 'naive', cmd: node,
    args: [env.children.naive, stepsFile, shape.unwrap ?? (shape.keyed ? '*' : '-'), ...files],
    check: (m) => (m.code !== 0 ? `exit ${m.code}: ${m.stderr.trim().split('\n')[0] ?? ''}` : undefined),
  });
  return out;
}

export function removeDb(db: string): void {
  for (const f of [db, `${db}.wal`, `${db}.tmp`]) fs.rmSync(f, { force: true, recursive: true });
}
