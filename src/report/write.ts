/**
 * Writes a report folder: report.html, one CSV per analysis (and per supporting table) and
 * findings.json. Each file is written beside its final name and renamed into place, so an
 * interrupted run never leaves a half-written report that looks complete.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SigtrailError } from '../errors.js';
import { renderJson } from '../render/json.js';
import { containmentChecklist } from './checklist.js';
import { reportTables, tableCsv } from './csv.js';
import { renderReportHtml } from './html.js';
import type { ReportModel } from './model.js';

const BAD_PATH = new Set(['ENOENT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'EACCES', 'EPERM', 'EROFS']);

export interface WrittenReport {
  dir: string;
  /** File names written, relative to `dir`. */
  files: string[];
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content, 'utf8');
  await fs.rename(tmp, file);
}

/**
 * Writes the report for `model` into `outDir` (created when missing; files of the same name are
 * replaced, other files are left alone).
 * @returns the folder and the names of the files written
 */
export async function writeReport(outDir: string, model: ReportModel): Promise<WrittenReport> {
  const checklist = containmentChecklist(model);
  const outputs: [string, string][] = [
    ['report.html', renderReportHtml(model, checklist)],
    ...reportTables(model, checklist).map((t): [string, string] => [`${t.name}.csv`, tableCsv(t)]),
    // The anomalies rows exactly as `sigtrail anomalies --format json` prints them.
    ['findings.json', renderJson(model.findings)],
  ];
  try {
    await fs.mkdir(outDir, { recursive: true });
    for (const [name, content] of outputs) await writeAtomically(path.join(outDir, name), content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const message = `cannot write the report to ${outDir}: ${code || (e as Error).message}`;
    // A path that cannot hold the report is the user's --out; anything else (a full disk) is not.
    if (BAD_PATH.has(code)) throw new SigtrailError('USAGE', message, { cause: e, hint: 'pass --out with a folder you can write to' });
    throw new SigtrailError('INTERNAL', message, { cause: e });
  }
  return { dir: outDir, files: outputs.map(([name]) => name) };
}
