/**
 * A content hash of a JSON record that survives re-serialisation, for event_uid where a log has no
 * unique id of its own (legacy GitHub audit entries, GitLab's audit_json.log).
 *
 * The same event reaches an investigator in several copies: the raw export and a Panther (security
 * data lake) copy that adds `p_*` keys, renames `@timestamp` and rewrites epoch milliseconds as
 * strings. Hashing the top-level keys in sorted order, without the `p_*` keys and without the time
 * keys (the caller adds the parsed time instead), gives both copies one uid. Nested values are
 * compared as DuckDB re-serialises them (minified), so whitespace and indentation do not matter.
 */

const KEY = /^[A-Za-z0-9_@.-]+$/;

/**
 * SQL for a scalar subquery: md5 over `key=value` pairs of `rec`'s top-level members, sorted by key,
 * skipping `p_*` keys and `excluded`. `rec` is an adapter's own column expression.
 */
export function canonicalHashSql(rec: string, excluded: readonly string[]): string {
  for (const k of excluded) if (!KEY.test(k)) throw new Error(`bad key ${k}`);
  const skip = excluded.length ? `AND j.key NOT IN (${excluded.map((k) => `'${k}'`).join(', ')})` : '';
  return `(SELECT md5(COALESCE(string_agg(j.key || '=' || CAST(j.value AS VARCHAR), chr(30) ORDER BY j.key), ''))
           FROM json_each(${rec}) AS j WHERE NOT starts_with(j.key, 'p_') ${skip})`;
}
