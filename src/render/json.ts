import type { Plain, Row } from '../store/values.js';

/**
 * JSON output. Values are already plain. JSON.stringify escapes C0 controls but writes DEL, C1
 * controls, bidirectional overrides and line separators as they are: those are escaped here too
 * (`\u009b`, `\u202e`, `\u2028`), so JSON printed to a terminal cannot act on it or reorder what is
 * shown, and a consumer that splits on lines (ndjson) cannot be confused. The parsed values are
 * unchanged.
 */
export function renderJson(value: Plain | readonly Row[] | object): string {
  return safeJson(JSON.stringify(value, null, 2)) + '\n';
}

export function renderNdjson(rows: readonly Row[]): string {
  return rows.map((r) => jsonLine(r)).join('\n') + (rows.length ? '\n' : '');
}

/** One value as a single line of JSON, escaped as above (no trailing newline). */
export function jsonLine(value: unknown): string {
  return safeJson(JSON.stringify(value));
}

const UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function safeJson(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
