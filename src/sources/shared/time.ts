/**
 * ts_raw: the raw timestamp string, kept only where TIMESTAMPTZ (microseconds) loses precision —
 * GCP and Vault write nanoseconds, Azure seven fractional digits. Trailing zeros lose nothing.
 */
export function tsRawSql(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '\\.[0-9]{6}[0-9]*[1-9]') THEN ${expr} END`;
}
