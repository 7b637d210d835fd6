/**
 * Like `fieldsSql`, for fields that several JSON paths may hold: the first path with a value wins.
 *
 * Log copies rename keys unevenly (Panther lower-cases some top-level keys of GCP entries but
 * not the nested ones: `protopayload.methodName`), so a blanket lower-casing of the whole path
 * does not find them; each alternative is listed instead. All paths are still extracted with ONE
 * parse of the record.
 */
import { fieldsSql, type FieldsSql } from './fields.js';

/** Output name → JSON paths in order of preference, e.g. { method: ['$.protoPayload.methodName', '$.protopayload.methodName'] }. */
export type AlternativesMap = Readonly<Record<string, readonly string[]>>;

/** Select-list items for `fields` read from the JSON expression `source` (one list, one parse). */
export function alternativesSql(source: string, fields: AlternativesMap, listName = '_v'): FieldsSql {
  const flat: Record<string, string> = {};
  const items: string[] = [];
  let index = 0;
  for (const [name, paths] of Object.entries(fields)) {
    if (paths.length === 0) throw new Error(`no path for field ${name}`);
    const slots: string[] = [];
    paths.forEach((p, i) => {
      // fieldsSql validates names and paths; the flattened names only need to be unique.
      flat[`${name}__${i}`] = p;
      index += 1;
      slots.push(`${listName}[${index}]`);
    });
    items.push(slots.length === 1 ? `${slots[0]} AS ${name}` : `COALESCE(${slots.join(', ')}) AS ${name}`);
  }
  const { list } = fieldsSql(source, flat, { listName });
  return { list, items: items.join(',\n      ') };
}

/** The same nested paths under each of several container paths (e.g. `$.protoPayload`, `$.protopayload`). */
export function under(containers: readonly string[], rest: string): string[] {
  return containers.map((c) => c + rest);
}
