/**
 * ts_raw: the raw timestamp string, kept only where TIMESTAMPTZ (microseconds) loses precision —
 * GCP and Vault write nanoseconds, Azure seven fractional digits. Trailing zeros lose nothing.
 */
export function tsRawSql(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '\\.[0-9]{6}[0-9]*[1-9]') THEN ${expr} END`;
}

/**
 * An ISO-8601 / RFC 3339 time string (also Panther's "YYYY-MM-DD HH:MM:SS.fff") → TIMESTAMPTZ in
 * UTC, NULL when unparseable or outside plausible audit times — `st_ts_ok` for sources that only
 * ever write such strings. Unlike the macro (whose scalar subqueries DuckDB plans as joins over
 * the whole file, about a quarter of a Vault file's load time), it is a plain expression.
 */
export function isoTsSql(expr: string): string {
  const cast = `TRY_CAST(trim(${expr}) AS TIMESTAMPTZ)`;
  return `CASE WHEN ${cast} BETWEEN TIMESTAMPTZ '1995-01-01 00:00:00+00' AND TIMESTAMPTZ '2200-01-01 00:00:00+00' THEN ${cast} END`;
}
