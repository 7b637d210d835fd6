/**
 * ts_raw: the raw timestamp string, kept only where TIMESTAMPTZ (microseconds) loses precision —
 * GCP and Vault write nanoseconds, Azure seven fractional digits. Trailing zeros lose nothing.
 * An integer epoch of 17 or more digits is nanoseconds: it is read through a double, which keeps
 * microseconds only, so its text is kept too.
 */
export function tsRawSql(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '\\.[0-9]{6}[0-9]*[1-9]') OR ${nsEpochSql(expr)} THEN ${expr} END`;
}

/** True for an epoch in nanoseconds (see tsRawSql). */
export function nsEpochSql(expr: string): string {
  return `regexp_full_match(trim(${expr}), '-?[0-9]{17,}(\\.[0-9]*)?')`;
}
