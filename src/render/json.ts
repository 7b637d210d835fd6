import type { Plain, Row } from '../store/values.js';

/**
 * JSON output. Values are already plain; U+2028/2029 and other line separators are escaped so a
 * consumer that splits on lines (ndjson) cannot be confused by a field's content.
 */
export function renderJson(value: Plain | readonly Row[] | object): string {
  return safeJson(JSON.stringify(value, null, 2)) + '\n';
}

export function renderNdjson(rows: readonly Row[]): string {
  return rows.map((r) => safeJson(JSON.stringify(r))).join('\n') + (rows.length ? '\n' : '');
}

function safeJson(s: string): string {
  return s.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
