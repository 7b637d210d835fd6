/**
 * The one printer. Every command that produces data hands it rows (or a document) and the global
 * options decide the format; results go to stdout, notes and progress to stderr.
 */
import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import { UsageError } from '../errors.js';
import type { Plain, Row } from '../store/values.js';
import { renderArrow } from './arrow.js';
import { renderCsv } from './csv.js';
import { jsonLine, renderJson, renderNdjson } from './json.js';
import { stripControl } from './sanitize.js';
import { renderTable } from './table.js';

export const FORMATS = ['table', 'json', 'ndjson', 'csv', 'arrow'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(v: string | undefined): Format {
  const f = (v ?? 'table').toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new UsageError(`unknown --format "${v}"`, { hint: `one of: ${FORMATS.join(', ')}` });
  }
  return f as Format;
}

export interface OutputOptions {
  format: Format;
  color: boolean;
  stdout?: Writable;
  stderr?: Writable;
}

export class Output {
  readonly format: Format;
  readonly color: boolean;
  readonly chalk: ChalkInstance;
  private readonly out: Writable;
  private readonly err: Writable;

  constructor(options: OutputOptions) {
    this.format = options.format;
    this.color = options.color;
    this.chalk = new Chalk({ level: options.color ? 1 : 0 });
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
  }

  /** Rows with known columns, in the selected format. */
  rows(columns: readonly string[], rows: readonly Row[], options: { title?: string; empty?: string } = {}): void {
    switch (this.format) {
      case 'json':
        this.write(renderJson(rows.map((r) => pick(r, columns))));
        return;
      case 'ndjson':
        this.write(renderNdjson(rows.map((r) => pick(r, columns))));
        return;
      case 'csv':
        this.write(renderCsv(columns, rows));
        return;
      case 'arrow':
        this.out.write(renderArrow(columns, rows));
        return;
      case 'table':
        if (options.title) this.write(this.chalk.bold(stripControl(options.title)) + '\n');
        if (rows.length === 0) {
          this.write(this.chalk.dim(options.empty ?? '(no rows)') + '\n');
          return;
        }
        this.write(renderTable(columns, rows, { color: this.color }));
    }
  }

  /**
   * A structured result (e.g. the window document). JSON formats print it whole; table and CSV
   * print `tableRows` (a flattened view) through rows().
   */
  document(doc: Plain | object, tableView: { columns: readonly string[]; rows: readonly Row[]; title?: string }): void {
    if (this.format === 'json') this.write(renderJson(doc));
    else if (this.format === 'ndjson') this.write(jsonLine(doc) + '\n');
    else this.rows(tableView.columns, tableView.rows, { title: tableView.title });
  }

  /** Plain text result lines (e.g. distrust digests); control characters stripped. */
  text(lines: readonly string[]): void {
    this.write(lines.map((l) => stripControl(l)).join('\n') + (lines.length ? '\n' : ''));
  }

  /** A note for the human: stderr, never mixed into results. */
  note(message: string): void {
    this.err.write(stripControl(message) + '\n');
  }

  warn(message: string): void {
    this.err.write(this.chalk.yellow(stripControl(message)) + '\n');
  }

  get stderr(): Writable {
    return this.err;
  }

  private write(s: string): void {
    this.out.write(s);
  }
}

function pick(row: Row, columns: readonly string[]): Row {
  const o: Row = {};
  for (const c of columns) o[c] = row[c] ?? null;
  return o;
}
