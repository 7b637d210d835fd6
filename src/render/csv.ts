import type { Row } from '../store/values.js';
import { displayText } from './format.js';
import { csvCell } from './sanitize.js';

/** RFC 4180 CSV with a header row; every cell formula-safe. */
export function renderCsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(displayText(row[c]))).join(','));
  return lines.join('\r\n') + '\r\n';
}
