/**
 * A content hash of a JSON record that survives re-serialisation, for event_uid where a log has no
 * unique id of its own (legacy GitHub audit entries, GitLab's production_json.log).
 *
 * The same event reaches an investigator in several copies: the raw export and a Panther (security
 * data lake) copy that adds `p_*` keys, renames `@timestamp` and rewrites epoch milliseconds as
 * strings. Hashing the top-level members in sorted key order, without the `p_*` keys and without the
 * time keys (the caller adds the parsed time instead), gives both copies one uid. Nested values are
 * compared as DuckDB re-serialises them (minified), so whitespace and indentation do not matter, and
 * `0.0` / `0` compare equal (a re-serialiser that parsed a number as a float writes the `.0`).
 */

const KEY = /^[A-Za-z0-9_@.-]+$/;

/**
 * SQL for md5 over `key=value` of `rec`'s top-level members, sorted by key, skipping `p_*` keys and
 * `excluded`. It re-reads `rec` once per key, so wrap it in `CASE WHEN <no id> THEN … END`: DuckDB
 * evaluates a CASE branch only for the rows that take it. Keys are addressed as JSON pointers
 * (`~` and `/` escaped) so that any key an attacker writes stays a key, never a path.
 */
export function canonicalHashSql(rec: string, excluded: readonly string[]): string {
  for (const k of excluded) if (!KEY.test(k)) throw new Error(`bad key ${k}`);
  const skip = excluded.length ? ` AND k NOT IN (${excluded.map((k) => `'${k}'`).join(', ')})` : '';
  return `md5(array_to_string(list_sort(list_transform(
      list_filter(json_keys(${rec}), k -> NOT starts_with(k, 'p_')${skip}),
      k -> k || '=' || regexp_replace(CAST(json_extract(${rec}, '/' || replace(replace(k, '~', '~0'), '/', '~1')) AS VARCHAR),
                                      '([0-9])\\.0+\\b', '\\1', 'g'))), chr(30)))`;
}
