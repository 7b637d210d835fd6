/**
 * Helpers for adapters' mapping SQL: pull many fields out of a JSON record with ONE parse.
 *
 * `json_extract_string(rec, [p1, p2, …])` parses the record once and returns a list, whereas one
 * call per field re-parses it each time (several times slower on 1M CloudTrail records).
 */

/** A JSON path per output name, e.g. { event_time: '$.eventTime' }. */
export type FieldMap = Readonly<Record<string, string>>;

const NAME = /^[a-z_][a-z0-9_]*$/;
const PATH = /^\$(\.("[^"\\']+"|[A-Za-z0-9_@-]+)|\[\d+\])*$/;

export interface FieldsSql {
  /** Select-list item computing the list of strings, named `listName`. */
  list: string;
  /** Select-list items naming each field from that list (use in an outer SELECT). */
  items: string;
}

/**
 * With `caseInsensitive`, a lower-cased copy of every path is tried too (Panther exports some
 * records with all-lower-case keys: `eventname`, `useridentity`).
 */
export function fieldsSql(source: string, fields: FieldMap, options: { caseInsensitive?: boolean; listName?: string } = {}): FieldsSql {
  const entries = Object.entries(fields);
  for (const [name, path] of entries) {
    // Names and paths are adapter constants; checking them keeps anything else out of the SQL text.
    if (!NAME.test(name)) throw new Error(`bad field name ${name}`);
    if (!PATH.test(path)) throw new Error(`bad JSON path ${path}`);
  }
  const listName = options.listName ?? '_v';
  const paths = entries.map(([, p]) => p);
  const lower = paths.map((p) => p.toLowerCase());
  const all = options.caseInsensitive ? [...paths, ...lower] : paths;
  const n = entries.length;
  const items = entries.map(([name], i) =>
    options.caseInsensitive && lower[i] !== paths[i]
      ? `COALESCE(${listName}[${i + 1}], ${listName}[${i + 1 + n}]) AS ${name}`
      : `${listName}[${i + 1}] AS ${name}`,
  );
  return {
    list: `json_extract_string(${source}, [${all.map((p) => `'${p}'`).join(', ')}]) AS ${listName}`,
    items: items.join(',\n      '),
  };
}
