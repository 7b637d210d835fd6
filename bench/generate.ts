/**
 * The benchmark's data sets, generated once per size under bench/data/ (gitignored) and reused:
 * a `manifest.json` written last marks a complete set, so an interrupted generation is redone.
 *
 * Each set also says what a correct ingest must report (records, duplicates, rejects), because a
 * fast loader that drops or double-counts records is not a result.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { cloudtrailRecord } from './gen/cloudtrail.js';
import { githubAuditRecord } from './gen/github.js';
import { rekorEntry, rekorPool } from './gen/rekor.js';
import { LineWriter } from './gen/writer.js';
import { Random } from './random.js';

/** Bump when a generator changes shape, so cached sets are regenerated. */
const VERSION = 5;

export type DataKind = 'cloudtrail-ndjson' | 'cloudtrail-s3' | 'cloudtrail-newday' | 'github-audit' | 'rekor';

export interface DataSet {
  kind: DataKind;
  /** Records in the set (non-blank lines or array elements), including the bad ones. */
  records: number;
  /** What a correct loader reports. */
  expect: { inserted: number; duplicates: number; rejected: number };
  files: number;
  bytes: number;
  /** The file or folder to hand to `sigtrail ingest`. */
  input: string;
  /** A glob DuckDB can read the whole set with. */
  glob: string;
  version: number;
}

const DAY = 86_400_000;
/** The generated history covers the 30 days before this instant; the "new day" is the day after. */
export const HISTORY_END = Date.UTC(2025, 2, 31);
export const HISTORY_DAYS = 30;

/** Rare faults, at rates seen in real exports: re-delivered events, a cut-off line, a record without its time. */
const DUPLICATE_RATE = 1 / 2000;
const TRUNCATED_RATE = 1 / 20000;
const NO_TIME_RATE = 1 / 20000;
const BLANK_LINE_EVERY = 25000;

interface Faults {
  duplicates: number;
  rejected: number;
}

/**
 * Streams `n` records as lines, injecting duplicates (an exact earlier line again), truncated
 * lines and records without a time, so the loader's dedupe and reject paths do real work.
 */
function emitLines(r: Random, n: number, make: (i: number) => Record<string, unknown>, timeKey: string | null, out: (line: string) => void, blankLines: boolean): Faults {
  const recent: string[] = [];
  const f: Faults = { duplicates: 0, rejected: 0 };
  for (let i = 0; i < n; i++) {
    if (blankLines && i > 0 && i % BLANK_LINE_EVERY === 0) out('');
    if (recent.length > 0 && r.chance(DUPLICATE_RATE)) {
      out(r.pick(recent));
      f.duplicates++;
      continue;
    }
    const rec = make(i);
    if (timeKey && r.chance(NO_TIME_RATE)) {
      delete rec[timeKey];
      out(JSON.stringify(rec));
      f.rejected++;
      continue;
    }
    const line = JSON.stringify(rec);
    if (blankLines && r.chance(TRUNCATED_RATE)) {
      out(line.slice(0, Math.floor(line.length / 2)));
      f.rejected++;
      continue;
    }
    if (recent.length < 256) recent.push(line);
    else recent[r.int(256)] = line;
    out(line);
  }
  return f;
}

/** A different stream per set: the "new day" must not repeat the history's event ids. */
function seedOf(kind: string, n: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${kind}:${n}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

function timeOf(i: number, n: number, start: number, span: number): number {
  return start + Math.floor((i * span) / n);
}

async function build(kind: DataKind, n: number, setDir: string): Promise<Omit<DataSet, 'version'>> {
  // The data files sit in their own folder (the manifest beside it is not a log), so a command
  // can be pointed at the folder.
  const dir = path.join(setDir, 'files');
  fs.mkdirSync(dir, { recursive: true });
  const r = new Random(seedOf(kind, n));
  const start = HISTORY_END - HISTORY_DAYS * DAY;
  switch (kind) {
    case 'cloudtrail-ndjson':
    case 'cloudtrail-newday': {
      const file = path.join(dir, kind === 'cloudtrail-ndjson' ? 'cloudtrail.ndjson' : 'newday.ndjson');
      const from = kind === 'cloudtrail-ndjson' ? start : HISTORY_END;
      const span = kind === 'cloudtrail-ndjson' ? HISTORY_DAYS * DAY : DAY;
      const w = new LineWriter(file);
      const f = emitLines(r, n, (i) => cloudtrailRecord(r, timeOf(i, n, from, span)), 'eventTime', (l) => w.line(l), true);
      const bytes = w.close();
      return { kind, records: n, expect: { inserted: n - f.duplicates - f.rejected, ...f }, files: 1, bytes, input: file, glob: file };
    }
    case 'cloudtrail-s3': {
      // CloudTrail delivers one compact {"Records":[…]} object per account and region every few
      // minutes; ~1000 records per object is a busy account.
      const root = path.join(dir, 'AWSLogs');
      let files = 0;
      let bytes = 0;
      let batch: string[] = [];
      let batchStart = start;
      const flush = (): void => {
        if (batch.length === 0) return;
        const d = new Date(batchStart);
        const ymd = d.toISOString().slice(0, 10).split('-');
        const sub = path.join(root, '111122223333', 'CloudTrail', 'us-east-1', ...ymd);
        fs.mkdirSync(sub, { recursive: true });
        const stamp = d.toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
        const name = `111122223333_CloudTrail_us-east-1_${stamp}_${r.alnum(16)}.json.gz`;
        const gz = zlib.gzipSync(`{"Records":[${batch.join(',')}]}`);
        fs.writeFileSync(path.join(sub, name), gz);
        files++;
        bytes += gz.length;
        batch = [];
      };
      let size = 500 + r.int(1000);
      const f = emitLines(r, n, (i) => {
        const ms = timeOf(i, n, start, HISTORY_DAYS * DAY);
        if (batch.length === 0) batchStart = ms;
        return cloudtrailRecord(r, ms);
      }, 'eventTime', (line) => {
        batch.push(line);
        if (batch.length >= size) {
          flush();
          size = 500 + r.int(1000);
        }
      }, false);
      flush();
      return { kind, records: n, expect: { inserted: n - f.duplicates - f.rejected, ...f }, files, bytes, input: root, glob: path.join(root, '**', '*.json.gz') };
    }
    case 'github-audit': {
      const file = path.join(dir, 'github-audit.ndjson');
      const w = new LineWriter(file);
      const f = emitLines(r, n, (i) => githubAuditRecord(r, timeOf(i, n, start, HISTORY_DAYS * DAY)), '@timestamp', (l) => w.line(l), true);
      const bytes = w.close();
      return { kind, records: n, expect: { inserted: n - f.duplicates - f.rejected, ...f }, files: 1, bytes, input: file, glob: file };
    }
    case 'rekor': {
      // Rekor entries are unique by uuid; the faults here are only re-fetched entries (duplicates).
      const file = path.join(dir, 'rekor-entries.ndjson');
      const pool = await rekorPool(r);
      const w = new LineWriter(file);
      const f = emitLines(r, n, (i) => rekorEntry(r, pool, i, timeOf(i, n, start, HISTORY_DAYS * DAY)), null, (l) => w.line(l), false);
      const bytes = w.close();
      return { kind, records: n, expect: { inserted: n - f.duplicates - f.rejected, ...f }, files: 1, bytes, input: file, glob: file };
    }
  }
}

/** The data set of `kind` with `n` records, generated when missing or stale. */
export async function ensureData(root: string, kind: DataKind, n: number, log: (s: string) => void = () => undefined): Promise<DataSet> {
  const dir = path.join(root, `${kind}-${n}`);
  const manifest = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifest)) {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as DataSet;
    if (m.version === VERSION) return m;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  log(`generating ${kind} × ${n.toLocaleString('en-US')} …`);
  const set: DataSet = { ...(await build(kind, n, dir)), version: VERSION };
  fs.writeFileSync(manifest, JSON.stringify(set, null, 2));
  return set;
}
