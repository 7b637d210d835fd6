/**
 * The one interface every input format implements. A source folder (`src/sources/<id>/`) holds
 * `index.ts` (this object), `detect.ts` (content sniffing) and `map.ts` (the SQL that maps staged
 * records onto the canonical tables); copy a folder to add a source.
 */
import type { Store } from '../store/database.js';
import type { CiMergeResult } from '../ingest/ci-runs.js';
import type { Row } from '../store/values.js';
import type { Sample } from '../ingest/sniff.js';
import type { SignatureInput } from '../ingest/signatures.js';
import type { TrustedLogs } from '../sigstore/trusted-root.js';

export interface FileRef {
  id: number;
  path: string;
  sha256: string;
  gzip: boolean;
}

export interface StageOptions {
  /**
   * Wrapper keys whose array value holds the real records (`Records` for CloudTrail S3 objects,
   * `records` for Azure blobs). Top-level JSON arrays are always unwrapped.
   */
  unwrap?: readonly string[];
}

export interface Tally {
  /** Records seen (inserted + duplicates + rejected + merged). */
  records: number;
  inserted: number;
  /** Records already present (same event_uid / entry) from this or an earlier file. */
  duplicates: number;
  rejected: number;
  /** Records folded into another record's event (a Vault response line joined to its request line). */
  merged?: number;
}

export interface InsertOptions {
  /**
   * The mapping SELECT also returns `merged_lines`: how many further input records each of its rows
   * folds in. They are tallied as records (and as `merged`), not as rows.
   */
  mergedLines?: boolean;
  /**
   * The mapping emits exactly one row per staged record, in staged order (projections only: no
   * joins, aggregates, windows or filters) and passes `record_no` through untouched. The loader may
   * then read the records unnumbered, in parallel, and number the rows by position afterwards;
   * `record_no` is NULL inside the mapping.
   */
  perRecord?: boolean;
  /**
   * The event_uid determines the event's time (it hashes the whole record), so a stored duplicate
   * can only lie in this file's time range and the duplicate check reads only that range.
   */
  uidImpliesTime?: boolean;
}

export interface LoadContext {
  readonly store: Store;
  readonly file: FileRef;
  readonly sample: Sample;
  readonly tally: Tally;
  /**
   * Reads the file with DuckDB's JSON reader into TEMP table `staged(record_no, line_no, rec JSON)`,
   * one row per record; records that do not parse (or are not objects) become rejects.
   */
  stage(options?: StageOptions): Promise<void>;
  /**
   * Runs `selectSql` — a SELECT over `staged` producing the columns of `events` (without
   * `file_id`) plus `reject_reason` — and inserts its new rows; rows with a reject_reason become rejects.
   */
  insertEvents(selectSql: string, options?: InsertOptions): Promise<void>;
  /**
   * Runs `selectSql` — a SELECT over `staged` producing the columns of `ci_runs` (CI_RUN_COLUMNS without
   * `file_id`) — and merges its rows into `ci_runs` on `ci_uid` (rules in src/ingest/ci-runs.ts).
   * Records are not counted here: the `insertEvents` call over the same records counts them.
   */
  upsertCiRuns(selectSql: string): Promise<CiMergeResult>;
  /** Records one rejected record. */
  reject(recordNo: number | null, reason: string, snippet?: string | null, lineNo?: number | null): Promise<void>;
  /**
   * Runs `selectSql` — a SELECT over `staged` — and yields its rows in pages of `pageSize`, for
   * adapters whose mapping needs JavaScript after DuckDB has read and projected the records.
   */
  stagedRows(selectSql: string, pageSize?: number): AsyncIterable<Row[]>;
  /** Inserts transparency-log rows into `signatures`, deduplicated; see src/ingest/signatures.ts. */
  insertSignatures(rows: readonly SignatureInput[]): Promise<void>;
  /** Log keys that transparency-log evidence is verified against (`--trusted-root`); the shipped roots when unset. */
  readonly trustedLogs?: TrustedLogs;
}

export interface SourceAdapter {
  /** Folder name and `--source` value, e.g. `aws-cloudtrail`. */
  readonly id: string;
  /** Human title for `sigtrail sources`. */
  readonly title: string;
  /** Values this adapter writes to events.source (or `signatures` / `ci_runs`). */
  readonly emits: readonly string[];
  /** What it reads, one line each, for `sigtrail sources` and the README. */
  readonly formats: readonly string[];
  /**
   * How this adapter stages its files (wrapper keys); declared here as well as passed to
   * ctx.stage() so that `sigtrail raw` can re-read a record by its number later.
   */
  readonly stageOptions?: StageOptions;
  /** True when the sample looks like this format (content first; names only as a tie-breaker). */
  detect(sample: Sample): boolean;
  /** Loads one file; runs inside the file's transaction. */
  load(ctx: LoadContext): Promise<void>;
}
