/**
 * Staging: how a file's records are presented to an adapter's mapping SQL as `staged(record_no, rec)`.
 *
 * The fast path (newline-delimited records, no wrapper) is not materialised: `staged` is a CTE over
 * DuckDB's `read_json_objects`, so the file is parsed once, inside the mapping query. Wrapped or
 * pretty-printed documents (S3 objects `{"Records":[…]}`, JSON arrays) are exploded into a TEMP table
 * first. Either way each row carries `stage_reject`: why the record could not be read, or NULL.
 */
import type { Container, Sample } from './sniff.js';

/** DuckDB's per-object limit for whole documents (S3 objects, arrays); a larger one is rejected. */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;

/**
 * The per-line limit for newline-delimited records. DuckDB reads in buffers of twice this size, so
 * 256 MiB here meant 512 MiB buffers (1.2 GB peak RSS on a 1M-record file, and only three buffers
 * to share between threads); no audit record comes near 16 MiB, and a longer line is rejected.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * maximum_object_size for a file read whole (documents, wrapped records). DuckDB allocates read
 * buffers of twice this size however small the file: a 1 KB gzipped S3 object asked for 2 x 512
 * MiB and failed under a 1 GB memory limit. A file's object is no larger than the file, so the size
 * is fitted to it (decoded size + 1 MiB, at least MAX_RECORD_BYTES, at most MAX_OBJECT_BYTES).
 */
export function objectBytesFor(sample: Pick<Sample, 'decodedBytes'>): number {
  if (sample.decodedBytes === undefined) return MAX_OBJECT_BYTES;
  return Math.min(MAX_OBJECT_BYTES, Math.max(MAX_RECORD_BYTES, sample.decodedBytes + 1024 * 1024));
}

export interface Staging {
  /** SQL of a SELECT producing (record_no, rec, stage_reject). */
  sql: string;
  /**
   * The same rows in file order with `record_no` NULL, when numbering them as they are read would
   * cost a single-threaded scan (the NDJSON fast path). A mapping that keeps one row per record in
   * order reads this instead; the loader numbers its materialised rows by position (rowid + 1).
   */
  unnumberedSql?: string;
  params: Record<string, string | number>;
  /** Temp tables to drop after the file. */
  temp: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** JSON paths for wrapper keys; they are adapter constants, checked so nothing else reaches the SQL text. */
function wrapperPaths(unwrap: readonly string[]): string[] {
  return unwrap.map((k) => {
    if (!KEY.test(k)) throw new Error(`invalid wrapper key ${k}`);
    return `$.${k}`;
  });
}

export function hasWrapper(sample: Sample, unwrap: readonly string[]): boolean {
  const f = sample.first;
  if (Array.isArray(f)) return true;
  if (f && typeof f === 'object') return unwrap.some((k) => Array.isArray((f as Record<string, unknown>)[k]));
  // Unknown (the first record did not fit in the head): look for a wrapper key near the start.
  return sample.first === undefined && unwrap.some((k) => new RegExp(`^\\s*[[{]\\s*"${k}"\\s*:\\s*\\[`).test(sample.head.slice(0, 512)));
}

export function readerSql(container: Container): string {
  return container === 'document'
    ? `read_json_objects($path, format = 'auto', compression = $compression, maximum_object_size = $max_object)`
    : `read_json_objects($path, format = 'newline_delimited', ignore_errors = true, compression = $compression, maximum_object_size = $max_object)`;
}

/**
 * Builds the staging for one file. `explode` is a statement the caller runs first when the records
 * sit inside wrappers (it fills TEMP table staged_tbl).
 */
export function planStaging(sample: Sample, unwrap: readonly string[]): { explode?: string; staging: Staging } {
  const params = { path: sample.path, compression: sample.gzip ? 'gzip' : 'uncompressed', max_object: objectBytesFor(sample) };
  const reader = readerSql(sample.container);
  // The reader yields valid JSON text without leading blanks, so an object starts with '{'; the
  // full parse behind json_type only runs for the rare record that does not.
  const notObject = `CASE WHEN rec IS NULL THEN 'malformed JSON'
    WHEN NOT starts_with(CAST(rec AS VARCHAR), '{') AND json_type(rec) <> 'OBJECT' THEN 'not a JSON object (' || lower(json_type(rec)) || ')' END`;
  if (sample.container === 'ndjson' && !hasWrapper(sample, unwrap)) {
    const recordParams = { ...params, max_object: MAX_RECORD_BYTES };
    return {
      staging: {
        // WITH ORDINALITY numbers rows in a streaming window, which runs the whole scan and mapping
        // on one thread: ~1.7x the time of the unnumbered read on two cores.
        sql: `SELECT ordinality AS record_no, rec, ${notObject} AS stage_reject
              FROM (SELECT ordinality, json AS rec FROM ${reader} WITH ORDINALITY)`,
        unnumberedSql: `SELECT NULL::BIGINT AS record_no, rec, ${notObject} AS stage_reject
              FROM (SELECT json AS rec FROM ${reader})`,
        params: recordParams,
        temp: [],
      },
    };
  }
  const paths = wrapperPaths(unwrap);
  // Each JSON function that parses a document keeps its own arena of several times the document's
  // size until the statement ends, so a document is parsed as few times as possible: a top-level
  // array or a non-empty first wrapper by one json_extract; only other objects (no wrapper, an
  // empty first wrapper, a later wrapper key) also pay for json_type. With five parses and a window
  // over the elements, a 34 MB S3 object did not fit in 1 GB.
  const first = paths[0];
  const rare = paths.length
    ? `CASE ${paths.map((p, i) => `WHEN ty[${i + 1}] = 'ARRAY' THEN ${i === 0 ? `[]::JSON[]` : `json_extract(doc, '${p}[*]')`}`).join(' ')} END`
    : 'NULL::JSON[]';
  const typed = paths.length ? `json_type(doc, [${paths.map((p) => `'${p}'`).join(', ')}])` : 'NULL::VARCHAR[]';
  // Elements are numbered by position: unnest keeps the order and the rows of a table written by
  // one statement have consecutive rowids (the same guarantee as the NDJSON fast path).
  const explode = `
    CREATE OR REPLACE TEMP TABLE staged_tbl AS
    WITH docs AS (SELECT json AS doc, regexp_matches(CAST(json AS VARCHAR), '^\\s*\\[') AS is_array FROM ${reader}),
         f AS (SELECT doc, is_array, ${first ? `CASE WHEN NOT is_array THEN json_extract(doc, '${first}[*]') END` : 'NULL::JSON[]'} AS items1 FROM docs),
         l AS (
           SELECT doc, CASE WHEN is_array THEN json_extract(doc, '$[*]') WHEN len(items1) > 0 THEN items1 END AS items,
                  CASE WHEN doc IS NOT NULL AND NOT is_array AND NOT len(items1) > 0 THEN ${typed} END AS ty
           FROM f
         ),
         r AS (SELECT doc, COALESCE(items, CASE WHEN ty IS NOT NULL THEN ${rare} END) AS items FROM l)
    SELECT unnest(COALESCE(items, [doc])) AS rec FROM r`;
  const sql = `SELECT rowid - (SELECT min(rowid) FROM staged_tbl) + 1 AS record_no, rec, ${notObject} AS stage_reject FROM staged_tbl`;
  return { explode, staging: { sql, params, temp: ['staged_tbl'] } };
}
