/**
 * Reading large analysis results into JavaScript.
 *
 * The node client converts results cell by cell (a value object per cell), which costs about
 * 20 µs per six-column row: a 150,000-row timeline took several seconds to read. Here DuckDB
 * serialises the whole result to one JSON text (vectorised) that V8 parses at once: the result
 * is materialised into a TEMP table (CTAS keeps the ORDER BY as insertion order, so rowid is the
 * order), then each row becomes JSON with the same value rules as src/store/values.ts —
 * timestamps as ISO-8601 UTC with `Z`, integers beyond 2^53 as decimal strings, JSON columns
 * parsed.
 */
import type { Params, Store } from '../store/database.js';
import type { Row } from '../store/values.js';

const OUT = 'c_out';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The SQL expression that renders one column the way normaliseValue would. */
function render(col: string, type: string): string {
  const c = quoteIdent(col);
  if (/^TIMESTAMP( WITH TIME ZONE)?$/.test(type)) {
    // "…SSZ" when whole seconds, ".mmmZ" when whole milliseconds, else ".uuuuuuZ" (as isoFromMicros).
    return `CASE WHEN ${c} IS NULL THEN NULL
      WHEN epoch_us(${c}) % 1000000 = 0 THEN strftime(make_timestamp(epoch_us(${c})), '%Y-%m-%dT%H:%M:%SZ')
      WHEN epoch_us(${c}) % 1000 = 0 THEN strftime(make_timestamp(epoch_us(${c})), '%Y-%m-%dT%H:%M:%S.%gZ')
      ELSE strftime(make_timestamp(epoch_us(${c})), '%Y-%m-%dT%H:%M:%S.%fZ') END`;
  }
  if (/^(BIGINT|HUGEINT|UBIGINT|UHUGEINT)$/.test(type)) {
    return `CASE WHEN ${c} BETWEEN -9007199254740991 AND 9007199254740991 THEN to_json(${c}) ELSE to_json(CAST(${c} AS VARCHAR)) END`;
  }
  if (type === 'DATE' || type.startsWith('INTERVAL') || type === 'UUID' || type === 'BLOB') return `CAST(${c} AS VARCHAR)`;
  if (type.startsWith('DECIMAL')) return `CAST(${c} AS DOUBLE)`;
  return c;
}

/** Runs `sql` and returns its columns and rows, serialised by DuckDB as one JSON document. */
export async function fetchRows(store: Store, sql: string, params: Params = []): Promise<{ columns: string[]; rows: Row[] }> {
  await store.run(`CREATE OR REPLACE TEMP TABLE ${OUT} AS ${sql}\n`, params);
  try {
    const cols = await store.all<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = '${OUT}' AND database_name = 'temp' ORDER BY column_index`,
    );
    if (cols.length === 0) return { columns: [], rows: [] };
    const fields = cols.map((c) => `${quoteIdent(c.name)} := ${render(c.name, c.type)}`).join(', ');
    const out = await store.one<{ j: string | null }>(
      `SELECT '[' || COALESCE(string_agg(CAST(to_json(struct_pack(${fields})) AS VARCHAR), ',' ORDER BY rowid), '') || ']' AS j FROM ${OUT}`,
    );
    return { columns: cols.map((c) => c.name), rows: JSON.parse(out?.j ?? '[]') as Row[] };
  } finally {
    await store.exec(`DROP TABLE IF EXISTS ${OUT}`);
  }
}
