/**
 * Staging: how a file's records are presented to an adapter's mapping SQL as `staged(record_no, rec)`.
 *
 * The fast path (newline-delimited records, no wrapper) is not materialised: `staged` is a CTE over
 * DuckDB's `read_json_objects`, so the file is parsed once, inside the mapping query. Wrapped or
 * pretty-printed documents (S3 objects `{"Records":[…]}`, JSON arrays) are exploded into a TEMP table
 * first. Either way each row carries `stage_reject`: why the record could not be read, or NULL.
 */
import type { Container, Sample } from './sniff.js';

/** DuckDB's per-value limit for whole documents (a `{"Records":[…]}` object is one value). */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;

/**
 * The limit per newline-delimited record; a longer line is rejected (with its line and size)
 * rather than loaded. Under the default 2 GB memory limit a mapping ran out of memory on a 24 MB
 * record with the 256 MiB document limit, and on a 50 MB one with 64 MiB, failing the whole file;
 * 16 MiB keeps every other record of the file. No audit record comes near it (CloudTrail and
 * Cloud Logging cap an entry at 256 KB; a Sigstore bundle is a few KB to a few MB).
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** The per-value limit for a container. */
export function maxObjectBytes(container: Container): number {
  return container === 'document' ? MAX_OBJECT_BYTES : MAX_LINE_BYTES;
}

export interface Staging {
  /** SQL of a SELECT producing (record_no, rec, stage_reject). */
  sql: string;
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

function hasWrapper(sample: Sample, unwrap: readonly string[]): boolean {
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
  const params = { path: sample.path, compression: sample.gzip ? 'gzip' : 'uncompressed', max_object: maxObjectBytes(sample.container) };
  const reader = readerSql(sample.container);
  const notObject = `CASE WHEN rec IS NULL THEN 'malformed JSON' WHEN json_type(rec) <> 'OBJECT' THEN 'not a JSON object (' || lower(json_type(rec)) || ')' END`;
  if (sample.container === 'ndjson' && !hasWrapper(sample, unwrap)) {
    return {
      staging: {
        sql: `SELECT ordinality AS record_no, rec, ${notObject} AS stage_reject
              FROM (SELECT ordinality, json AS rec FROM ${reader} WITH ORDINALITY)`,
        params,
        temp: [],
      },
    };
  }
  const paths = wrapperPaths(unwrap);
  const wrapped = paths.length
    ? `COALESCE(${paths.map((p) => `CASE WHEN json_type(doc, '${p}') = 'ARRAY' THEN json_extract(doc, '${p}') END`).join(', ')}, CASE WHEN json_type(doc) = 'ARRAY' THEN doc END)`
    : `CASE WHEN json_type(doc) = 'ARRAY' THEN doc END`;
  const explode = `
    CREATE OR REPLACE TEMP TABLE staged_tbl AS
    WITH docs AS (SELECT ordinality AS doc_no, json AS doc FROM ${reader} WITH ORDINALITY),
         d AS (SELECT doc_no, doc, ${wrapped} AS w FROM docs),
         elems AS (
           SELECT doc_no, e.elem_no, e.elem AS rec FROM d,
             LATERAL (SELECT unnest(json_extract(d.w, '$[*]')) AS elem, generate_subscripts(json_extract(d.w, '$[*]'), 1) AS elem_no) e
           WHERE d.w IS NOT NULL
           UNION ALL
           SELECT doc_no, 0 AS elem_no, doc AS rec FROM d WHERE d.w IS NULL
         )
    SELECT row_number() OVER (ORDER BY doc_no, elem_no) AS record_no, rec, ${notObject} AS stage_reject FROM elems`;
  return { explode, staging: { sql: 'SELECT record_no, rec, stage_reject FROM staged_tbl', params, temp: ['staged_tbl'] } };
}
