import Table from 'cli-table3';
import { Chalk } from 'chalk';
import type { Row } from '../store/values.js';
import { displayText } from './format.js';
import { terminalCell } from './sanitize.js';

export interface TableOptions {
  color: boolean;
  /** Longest cell shown before truncation with an ellipsis. */
  maxCell?: number;
}

/** A terminal table: control sequences from data made visible, long cells cut. */
export function renderTable(columns: readonly string[], rows: readonly Row[], options: TableOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const max = options.maxCell ?? 60;
  const table = new Table({
    head: columns.map((c) => chalk.bold(terminalCell(c))),
    style: { head: [], border: [], compact: true },
    wordWrap: false,
  });
  for (const row of rows) {
    table.push(
      columns.map((c) => {
        const text = terminalCell(displayText(row[c]));
        return text.length > max ? `${text.slice(0, max - 1)}…` : text;
      }),
    );
  }
  return table.toString() + '\n';
}
