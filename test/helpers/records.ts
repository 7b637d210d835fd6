import fs from 'node:fs';

/** The records of an NDJSON file (non-blank lines), parsed. */
export function ndjson<T = Record<string, unknown>>(p: string): T[] {
  return fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** A JSON document, parsed. */
export function jsonFile<T = unknown>(p: string): T {
  return JSON.parse(fs.readFileSync(p, 'utf8')) as T;
}

/** Records as NDJSON text. */
export function toNdjson(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
