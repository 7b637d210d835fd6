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
  const params = { path: sample.path, compression: sample.gzip ? 'gzip' : 'uncompressed', max_object: MAX_OBJECT_BYTES };
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
  const wrapped = paths.length
    ? `COALESCE(${paths.map((p) => `CASE WHEN json_type(doc, '${p}') = 'ARRAY' THEN json_extract(doc, '${p}') END`).join(', ')}, CASE WHEN json_type(doc) = 'ARRAY' THEN doc END)`
    : `CASE WHEN json_type(doc) = 'ARRAY' THEN doc END`;
  // json_extract(w, '$[*]') parses each wrapper once per document; unnesting it together with a
  // range keeps the element numbers without re-reading the (often megabyte-sized) document per element.
  const explode = `
    CREATE OR REPLACE TEMP TABLE staged_tbl AS
    WITH docs AS (SELECT ordinality AS doc_no, json AS doc FROM ${reader} WITH ORDINALITY),
         d AS (SELECT doc_no, doc, ${wrapped} AS w FROM docs),
         l AS (SELECT doc_no, doc, CASE WHEN w IS NOT NULL THEN json_extract(w, '$[*]') END AS items FROM d),
         elems AS (
           SELECT doc_no, unnest(range(1, len(items) + 1)) AS elem_no, unnest(items) AS rec FROM l WHERE items IS NOT NULL
           UNION ALL
           SELECT doc_no, 0 AS elem_no, doc AS rec FROM l WHERE items IS NULL
         )
    SELECT row_number() OVER (ORDER BY doc_no, elem_no) AS record_no, rec, ${notObject} AS stage_reject FROM elems`;
  return { explode, staging: { sql: 'SELECT record_no, rec, stage_reject FROM staged_tbl', params, temp: ['staged_tbl'] } };
}
