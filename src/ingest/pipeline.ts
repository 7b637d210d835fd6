/**
 * `sigtrail ingest`: files and folders → the canonical tables, one transaction per file.
 *
 * For each file: hash it (chain of custody), skip it when that sha256 is already loaded, sniff
 * its content, pick the adapter (or the forced `--source`), and let the adapter map it inside a
 * transaction. A crash or Ctrl-C mid-file leaves no partial rows; running the command again
 * finishes the job because completed files are skipped by hash.
 */
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { SigtrailError, UsageError, messageOf } from '../errors.js';
import type { Store } from '../store/database.js';
import { EVENT_COLUMNS } from '../store/schema.js';
import { CI_MAPPED_COLUMNS, mergeCiRuns, type CiMergeResult } from './ci-runs.js';
import { ADAPTERS, adapterById } from '../sources/registry.js';
import type { FileRef, InsertOptions, LoadContext, SourceAdapter, StageOptions, Tally } from '../sources/types.js';
import type { TrustedLogs } from '../sigstore/trusted-root.js';
import type { Row } from '../store/values.js';
import { writeSignatures, type SignatureInput } from './signatures.js';
import { sha256File } from './hash.js';
import { lineFactsFor, lineOfOffset } from './lines.js';
import { prepareInput, type OversizeLine, type PreparedInput } from './prepare.js';
import type { Sample } from './sniff.js';
import { MAX_RECORD_BYTES, objectBytesFor, planStaging, readerSql, type Staging } from './stage.js';
import { walk } from './walk.js';

export type FileStatus = 'loaded' | 'already-ingested' | 'unrecognised' | 'failed';

export interface FileOutcome extends Tally {
  path: string;
  sha256: string;
  bytes: number;
  adapter: string | null;
  status: FileStatus;
  seconds: number;
  message?: string;
}

export interface IngestOptions {
  /** Force this adapter id instead of detecting by content. */
  source?: string;
  /** Log keys for transparency-log verification (`--trusted-root`); the shipped roots when unset. */
  trustedLogs?: TrustedLogs;
  /** Called as each file starts and ends (for progress bars). */
  onFile?: (event: { phase: 'start' | 'end'; path: string; bytes: number; index: number; total: number; outcome?: FileOutcome }) => void;
}

export interface IngestResult {
  files: FileOutcome[];
  skipped: { path: string; reason: string }[];
}

const MAX_LINE_LOOKUPS = 100_000;

/** Picks the adapter for a sample: the forced one, or the first whose detect() accepts it. */
export function chooseAdapter(sample: Sample, forced?: string): SourceAdapter | undefined {
  if (forced) return adapterById(forced);
  if (sample.container === 'empty' || sample.container === 'binary') return undefined;
  return ADAPTERS.find((a) => {
    try {
      return a.detect(sample);
    } catch {
      return false; // a detector must never crash the run on odd content
    }
  });
}

class FileLoad implements LoadContext {
  readonly tally: Tally = { records: 0, inserted: 0, duplicates: 0, rejected: 0 };
  private staging?: Staging;
  private readonly temps = new Set<string>();

  constructor(
    readonly store: Store,
    readonly file: FileRef,
    readonly sample: Sample,
    /** Why DuckDB cannot parse this document at all (checked before the transaction), if so. */
    private readonly documentError: unknown,
    /** Lines past the per-line limit, replaced in the copy DuckDB read (prepare.ts). */
    private readonly oversize: ReadonlyMap<number, OversizeLine>,
    readonly trustedLogs?: TrustedLogs,
  ) {}

  async stage(options: StageOptions = {}): Promise<void> {
    const plan = planStaging(this.sample, options.unwrap ?? []);
    if (this.documentError !== undefined) {
      await this.rejectWholeFile(this.documentError);
      await this.store.exec('CREATE OR REPLACE TEMP TABLE staged_tbl (record_no BIGINT, rec JSON, stage_reject VARCHAR)');
    } else if (plan.explode) {
      await this.store.run(plan.explode, plan.staging.params);
    }
    plan.staging.temp.forEach((t) => this.temps.add(t));
    this.staging = plan.staging;
  }

  /** A document that DuckDB cannot parse at all is one reject, located to its line where possible. */
  private async rejectWholeFile(e: unknown): Promise<void> {
    const msg = messageOf(e).replace(/^[^:]*: /, '').split('\n')[0] ?? 'unreadable';
    let line: number | null = null;
    const lineMatch = /in line (\d+)/.exec(msg);
    if (lineMatch) line = Number(lineMatch[1]);
    else line = locateJsonError(this.sample.path, this.sample.gzip);
    const reason = `malformed JSON document: ${msg.replace(/Malformed JSON in file "[^"]*", /, '')}`;
    await this.reject(null, reason, this.sample.head.slice(0, 200), line);
  }

  async insertEvents(selectSql: string, options: InsertOptions = {}): Promise<void> {
    if (!this.staging) await this.stage();
    const staging = this.staging!;
    const cols = EVENT_COLUMNS.filter((c) => c !== 'file_id' && c !== 'record_no');
    const params = { ...staging.params, file_id: this.file.id, file_path: this.file.path };
    // A per-record mapping over the fast path reads unnumbered rows (in parallel) and its rows are
    // numbered by position afterwards: `mapped` keeps the file's order (DuckDB preserves insertion
    // order through scans, projections and CREATE TABLE AS) and its rowids are consecutive (inside
    // a transaction they start at a large base, hence the offset from the first).
    const perRecord = options.perRecord === true;
    const positional = perRecord && staging.unnumberedSql !== undefined;
    this.temps.add('mapped');
    await this.store.run(
      `CREATE OR REPLACE TEMP TABLE mapped AS
       WITH staged AS (${positional ? staging.unnumberedSql! : staging.sql})
       SELECT ${cols.join(', ')}, record_no,
              COALESCE(stage_reject, reject_reason) AS reject_reason,
              CASE WHEN COALESCE(stage_reject, reject_reason) IS NOT NULL THEN st_snippet(rec) END AS snippet,
              ${options.mergedLines ? 'COALESCE(merged_lines, 0)' : '0'} AS merged_lines
       FROM (${selectSql})`,
      params,
    );
    const counts = await this.store.one<{ total: number; bad: number; merged: number; base: string | null; lo: string | null; hi: string | null }>(
      `SELECT count(*) AS total, count(reject_reason) AS bad, COALESCE(sum(merged_lines), 0) AS merged,
              CAST(min(rowid) AS VARCHAR) AS base, CAST(min(ts) AS VARCHAR) AS lo, CAST(max(ts) AS VARCHAR) AS hi FROM mapped`,
    );
    // The first rowid is a number DuckDB chose (beyond 2^53 inside a transaction), not input.
    const base = /^\d+$/.test(counts?.base ?? '') ? counts!.base! : '0';
    const recordNo = positional ? `(m.rowid - ${base} + 1)` : 'm.record_no';
    await this.store.run(
      `INSERT INTO rejects (file_id, path, record_no, line_no, reason, snippet)
       -- A reason may quote the record (a bad time, a member name): kept to one line.
       SELECT $file_id, $file_path, ${recordNo}, NULL, regexp_replace(reject_reason, '[\\r\\n\\t]+', ' ', 'g'), snippet
       FROM mapped m WHERE reject_reason IS NOT NULL`,
      { file_id: this.file.id, file_path: this.file.path },
    );
    // Dedupe: the first record of each event_uid in this file, unless the store already has it.
    // A per-record mapping has one row per record (unique rowid / record_no), so the rare repeats
    // are found by grouping the uids alone and both checks are hash anti-joins. A general mapping
    // may emit several rows per record and keeps every row of the first record of a uid.
    const values = EVENT_COLUMNS.map((c) => (c === 'file_id' ? '$file_id' : c === 'record_no' ? recordNo : `m.${c}`)).join(', ');
    const key = positional ? 'rowid' : 'record_no';
    // When the uid determines the time, only the stored events in this file's time range can
    // match: zone maps on ts skip the rest, instead of reading every stored uid for every file.
    const window = options.uidImpliesTime && counts?.lo && counts.hi;
    const stored = window
      ? '(SELECT event_uid FROM events WHERE ts BETWEEN CAST($lo AS TIMESTAMPTZ) AND CAST($hi AS TIMESTAMPTZ))'
      : 'events';
    const inserted = await this.store.run(
      perRecord
        ? `INSERT INTO events (${EVENT_COLUMNS.join(', ')})
           WITH repeated AS (
             SELECT event_uid, min(${key}) AS first_row FROM mapped WHERE reject_reason IS NULL GROUP BY event_uid HAVING count(*) > 1
           )
           SELECT ${values}
           FROM mapped m
             ANTI JOIN repeated r ON r.event_uid = m.event_uid AND r.first_row <> m.${key}
             ANTI JOIN ${stored} e ON e.event_uid = m.event_uid
           WHERE m.reject_reason IS NULL`
        // First row(s) of each event_uid, by record_no, from a narrow aggregate. Not a window: a
        // window materialises whole rows (raw, details) and ran out of memory on a 400 MB GCP file.
        // Not a self anti-join on event_uid either: with many copies of one record it is quadratic
        // (8,000 identical lines took 32 s and 2 GB; 100,000 filled the disk with spill files).
        : `INSERT INTO events (${EVENT_COLUMNS.join(', ')})
           WITH firsts AS (
             SELECT event_uid, min(record_no) AS first_no FROM mapped WHERE reject_reason IS NULL GROUP BY event_uid
           )
           SELECT ${values}
           FROM mapped m
             SEMI JOIN firsts f ON f.event_uid = m.event_uid AND f.first_no = m.record_no
             ANTI JOIN ${stored} e ON e.event_uid = m.event_uid
           WHERE m.reject_reason IS NULL`,
      window ? { file_id: this.file.id, lo: counts.lo, hi: counts.hi } : { file_id: this.file.id },
    );
    const total = Number(counts?.total ?? 0);
    const bad = Number(counts?.bad ?? 0);
    const merged = Number(counts?.merged ?? 0);
    this.tally.records += total + merged;
    if (merged > 0) this.tally.merged = (this.tally.merged ?? 0) + merged;
    this.tally.rejected += bad;
    this.tally.inserted += inserted;
    this.tally.duplicates += total - bad - inserted;
  }

  async upsertCiRuns(selectSql: string): Promise<CiMergeResult> {
    if (!this.staging) await this.stage();
    const staging = this.staging!;
    this.temps.add('ci_mapped');
    await this.store.run(
      `CREATE OR REPLACE TEMP TABLE ci_mapped AS
       WITH staged AS (${staging.sql})
       SELECT ${CI_MAPPED_COLUMNS.join(', ')} FROM (${selectSql})`,
      { ...staging.params, file_id: this.file.id, file_path: this.file.path },
    );
    return mergeCiRuns(this.store, 'ci_mapped', this.file.id);
  }

  async *stagedRows(selectSql: string, pageSize = 1000): AsyncIterable<Row[]> {
    if (!this.staging) await this.stage();
    const staging = this.staging!;
    // Materialised first, so the adapter can write between pages on the same connection. The
    // streaming row_number() keeps the order selectSql produced (give it an ORDER BY); rowid
    // cannot page here, as rows added inside a transaction get provisional rowids.
    this.temps.add('staged_rows');
    await this.store.run(
      `CREATE OR REPLACE TEMP TABLE staged_rows AS
       WITH staged AS (${staging.sql}) SELECT row_number() OVER () AS _page_row, * FROM (${selectSql})`,
      staging.params,
    );
    for (let from = 1; ; from += pageSize) {
      const rows = await this.store.all(
        'SELECT * EXCLUDE (_page_row) FROM staged_rows WHERE _page_row >= $1 AND _page_row < $2 ORDER BY _page_row',
        [from, from + pageSize],
      );
      if (rows.length === 0) return;
      yield rows;
    }
  }

  async insertSignatures(rows: readonly SignatureInput[]): Promise<void> {
    await writeSignatures(this.store, this.file, this.tally, rows);
  }

  async reject(recordNo: number | null, reason: string, snippet?: string | null, lineNo?: number | null): Promise<void> {
    await this.store.run(
      'INSERT INTO rejects (file_id, path, record_no, line_no, reason, snippet) VALUES ($1, $2, $3, $4, $5, $6)',
      [this.file.id, this.file.path, recordNo, lineNo ?? null, reason.replace(/[\r\n\t]+/g, ' '), snippet ? snippet.replace(/[\r\n\t]+/g, ' ').slice(0, 200) : null],
    );
    this.tally.records += 1;
    this.tally.rejected += 1;
  }

  /**
   * Fills rejects.line_no for newline-delimited files, where record and line numbers can differ.
   * For lines DuckDB could not parse at all, the bytes themselves say more: a line that is not
   * UTF-8 or is past the per-record limit gets that as its reason, and every such line gets the
   * start of its text as the snippet.
   */
  async resolveLineNumbers(): Promise<void> {
    if (this.sample.container !== 'ndjson' || this.tally.rejected === 0) return;
    const rows = await this.store.all<{ record_no: number }>(
      'SELECT record_no FROM rejects WHERE file_id = $1 AND record_no IS NOT NULL AND line_no IS NULL ORDER BY record_no LIMIT $2',
      [this.file.id, MAX_LINE_LOOKUPS],
    );
    if (rows.length === 0) return;
    const facts = await lineFactsFor(this.sample.path, this.sample.gzip, rows.map((r) => r.record_no));
    const records: string[] = [];
    const lines: string[] = [];
    const reasons: string[] = [];
    const snippets: string[] = [];
    for (const [record, f] of facts) {
      const over = this.oversize.get(f.line);
      records.push(String(record));
      lines.push(String(f.line));
      reasons.push(
        over ? `record of ${over.bytes} bytes is past the ${MAX_RECORD_BYTES}-byte limit per line`
          : f.invalidUtf8At !== undefined
            ? `invalid UTF-8 (byte 0x${f.invalidByte!.toString(16).padStart(2, '0')} at column ${f.invalidUtf8At + 1}): not JSON text`
            : '',
      );
      snippets.push((over?.head ?? f.head).replace(/[\r\n\t]+/g, ' ').slice(0, 200));
    }
    // One statement for all of them (bound lists), not one UPDATE per reject.
    await this.store.run(
      `UPDATE rejects r SET line_no = f.line_no,
         reason = CASE WHEN r.reason = 'malformed JSON' AND f.reason <> '' THEN f.reason ELSE r.reason END,
         snippet = COALESCE(r.snippet, NULLIF(f.snippet, ''))
       FROM (SELECT unnest($2)::BIGINT AS record_no, unnest($3)::BIGINT AS line_no, unnest($4) AS reason, unnest($5) AS snippet) f
       WHERE r.file_id = $1 AND r.record_no = f.record_no`,
      [this.file.id, records, lines, reasons, snippets],
    );
  }

  /** Drops the file's temp tables; after a failure the transaction is aborted and that is fine. */
  async cleanup(): Promise<void> {
    for (const t of this.temps) {
      try {
        await this.store.exec(`DROP TABLE IF EXISTS ${t}`);
      } catch {
        /* the original error is what matters */
      }
    }
  }
}

/** Bigger documents are not re-parsed in JavaScript to find an error's line (memory: the text is held twice). */
const MAX_LOCATE_BYTES = 64 * 1024 * 1024;

/** Finds the line of a JSON syntax error in a small document (error path only). */
function locateJsonError(path: string, gzip: boolean): number | null {
  let text: string;
  try {
    if (fs.statSync(path).size > MAX_LOCATE_BYTES) return null;
    const buf = fs.readFileSync(path);
    text = (gzip ? zlib.gunzipSync(buf, { maxOutputLength: MAX_LOCATE_BYTES }) : buf).toString('utf8').replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const m = /position (\d+)/.exec(messageOf(e));
    return m ? lineOfOffset(text, Number(m[1])) : null;
  }
}

/** Parses a whole-document file once; returns DuckDB's error when it cannot. */
async function probeDocument(store: Store, sample: Sample): Promise<unknown> {
  try {
    await store.run(`SELECT count(*) FROM ${readerSql('document')}`, {
      path: sample.path, compression: sample.gzip ? 'gzip' : 'uncompressed', max_object: objectBytesFor(sample),
    });
    return undefined;
  } catch (e) {
    return e;
  }
}

async function recordFile(
  store: Store,
  f: { path: string; sha256: string; bytes: number; adapter: string | null; container: string | null; status: string },
): Promise<number> {
  const row = await store.one<{ file_id: number }>(
    `INSERT INTO files (path, sha256, bytes, adapter, container, status) VALUES ($1, $2, $3, $4, $5, $6) RETURNING file_id`,
    [f.path, f.sha256, f.bytes, f.adapter, f.container, f.status],
  );
  return row!.file_id;
}

async function ingestFile(store: Store, path: string, options: IngestOptions): Promise<FileOutcome> {
  const started = performance.now();
  const { sha256, bytes, longestLine } = await sha256File(path);
  const base: FileOutcome = {
    path, sha256, bytes, adapter: null, status: 'loaded', seconds: 0,
    records: 0, inserted: 0, duplicates: 0, rejected: 0,
  };
  const done = (o: Partial<FileOutcome>): FileOutcome => ({ ...base, ...o, seconds: (performance.now() - started) / 1000 });

  const prior = await store.one<{ status: string; adapter: string | null }>(
    "SELECT status, adapter FROM files WHERE sha256 = $1 AND status = 'loaded' LIMIT 1",
    [sha256],
  );
  if (prior) return done({ status: 'already-ingested', adapter: prior.adapter });

  const prepared = await prepareInput(path, { longestLine });
  try {
    return await loadPrepared(store, prepared, { path, sha256, bytes, done }, options);
  } finally {
    prepared.release();
  }
}

async function loadPrepared(
  store: Store,
  prepared: PreparedInput,
  file: { path: string; sha256: string; bytes: number; done: (o: Partial<FileOutcome>) => FileOutcome },
  options: IngestOptions,
): Promise<FileOutcome> {
  const { path, sha256, bytes, done } = file;
  const { sample, salvageNote } = prepared;
  const adapter = chooseAdapter(sample, options.source);
  if (!adapter) {
    const why = sample.container === 'empty' ? (salvageNote ? `${salvageNote.replace(/;.*$/, '')}: nothing readable` : 'empty file')
      : sample.container === 'binary' ? 'binary content, not a log'
      : 'no adapter recognises this content (use --source to force one)';
    await store.transaction(async () => {
      // An earlier unrecognised attempt is replaced, so a retry with --source is not blocked.
      await store.run("DELETE FROM rejects WHERE file_id IN (SELECT file_id FROM files WHERE sha256 = $1 AND status <> 'loaded')", [sha256]);
      await store.run("DELETE FROM files WHERE sha256 = $1 AND status <> 'loaded'", [sha256]);
      const id = await recordFile(store, { path, sha256, bytes, adapter: null, container: sample.container, status: 'unrecognised' });
      await store.run('UPDATE files SET records = 1, rejected = 1 WHERE file_id = $1', [id]);
      await store.run(
        'INSERT INTO rejects (file_id, path, record_no, line_no, reason, snippet) VALUES ($1, $2, NULL, NULL, $3, $4)',
        [id, path, why, sample.container === 'binary' ? null : sample.head.slice(0, 200).replace(/[\r\n\t]+/g, ' ')],
      );
    });
    return done({ status: 'unrecognised', records: 1, rejected: 1, message: why });
  }

  // A failed statement aborts DuckDB's transaction (there are no savepoints), so a document that
  // cannot be parsed at all is found out before the file's transaction starts.
  const documentError = sample.container === 'document' ? await probeDocument(store, sample) : undefined;

  return store.transaction(async () => {
    await store.run("DELETE FROM rejects WHERE file_id IN (SELECT file_id FROM files WHERE sha256 = $1 AND status <> 'loaded')", [sha256]);
    await store.run("DELETE FROM files WHERE sha256 = $1 AND status <> 'loaded'", [sha256]);
    const id = await recordFile(store, { path, sha256, bytes, adapter: adapter.id, container: sample.container, status: 'loaded' });
    const ctx = new FileLoad(store, { id, path, sha256, gzip: sample.gzip }, sample, documentError, prepared.oversize, options.trustedLogs);
    try {
      if (salvageNote) await ctx.reject(null, salvageNote);
      await adapter.load(ctx);
      await ctx.resolveLineNumbers();
    } finally {
      await ctx.cleanup();
    }
    await store.run('UPDATE files SET records = $1, rejected = $2 WHERE file_id = $3', [ctx.tally.records, ctx.tally.rejected, id]);
    return done({ adapter: adapter.id, ...ctx.tally });
  });
}

/** Ingests every file under `inputs`; a file that fails is recorded and reported, and the run goes on. */
export async function ingest(store: Store, inputs: readonly string[], options: IngestOptions = {}): Promise<IngestResult> {
  if (options.source && !adapterById(options.source)) {
    throw new UsageError(`unknown --source "${options.source}"`, { hint: `one of: ${ADAPTERS.map((a) => a.id).join(', ')}` });
  }
  const { files, skipped } = walk(inputs);
  const outcomes: FileOutcome[] = [];
  for (const [index, path] of files.entries()) {
    const bytes = safeSize(path);
    options.onFile?.({ phase: 'start', path, bytes, index, total: files.length });
    let outcome: FileOutcome;
    try {
      outcome = await ingestFile(store, path, options);
    } catch (e) {
      if (e instanceof SigtrailError && (e.code === 'DATABASE_LOCKED' || e.code === 'USAGE')) throw e;
      outcome = await recordFailure(store, path, bytes, e);
    }
    outcomes.push(outcome);
    options.onFile?.({ phase: 'end', path, bytes, index, total: files.length, outcome });
  }
  return { files: outcomes, skipped };
}

function safeSize(path: string): number {
  try { return fs.statSync(path).size; } catch { return 0; }
}

/** An unexpected failure on one file: keep a record of it (never silently lost) and move on. */
async function recordFailure(store: Store, path: string, bytes: number, e: unknown): Promise<FileOutcome> {
  let message = messageOf(e).split('\n')[0] ?? 'failed';
  // DuckDB counts reserved buffers against its limit: a document with a value of tens of MB can pass it.
  if (/Out of Memory Error/.test(message)) message += ` (raise SIGTRAIL_MEMORY_LIMIT, now ${process.env.SIGTRAIL_MEMORY_LIMIT ?? '2GB'})`;
  else if (e instanceof SigtrailError && e.hint) message += ` (${e.hint})`;
  let sha256 = '';
  try { sha256 = (await sha256File(path)).sha256; } catch { /* unreadable */ }
  try {
    await store.transaction(async () => {
      // A retry replaces an earlier failed attempt, as for unrecognised files.
      if (sha256) {
        await store.run("DELETE FROM rejects WHERE file_id IN (SELECT file_id FROM files WHERE sha256 = $1 AND status <> 'loaded')", [sha256]);
        await store.run("DELETE FROM files WHERE sha256 = $1 AND status <> 'loaded'", [sha256]);
      }
      const id = await recordFile(store, { path, sha256, bytes, adapter: null, container: null, status: 'failed' });
      await store.run('UPDATE files SET records = 1, rejected = 1 WHERE file_id = $1', [id]);
      await store.run('INSERT INTO rejects (file_id, path, reason) VALUES ($1, $2, $3)', [id, path, `file failed to load: ${message}`]);
    });
  } catch { /* the database itself is failing; the outcome below still reports the file */ }
  return { path, sha256, bytes, adapter: null, status: 'failed', seconds: 0, records: 1, inserted: 0, duplicates: 0, rejected: 1, message };
}
