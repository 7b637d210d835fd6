/**
 * `scan --report <dir>`: the night's new findings as files a ticket or a chat message can link
 * to — findings.json (the same document as `--format json`) and findings.csv (one row per finding,
 * formula-safe cells). Each file is written beside its final name and renamed into place, so a
 * killed scan never leaves a half-written file that looks complete.
 *
 * The HTML report (src/report/write.ts, built separately) plugs in through `html`: one function
 * that receives the folder and the scan document and returns the names of the files it wrote.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { evidenceRef } from '../analyses/evidence.js';
import { SigtrailError } from '../errors.js';
import { renderCsv } from '../render/csv.js';
import { renderJson } from '../render/json.js';
import type { Row } from '../store/values.js';
import type { ScanDocument } from './run.js';

/** The seam for an HTML (or any further) report of a scan. */
export type ScanReportWriter = (dir: string, doc: ScanDocument) => Promise<string[]>;

export const CSV_COLUMNS = ['ts', 'severity', 'rule', 'key', 'actor', 'summary', 'evidence', 'mitre', 'owasp_nhi', 'fingerprint', 'scan_id'];

const BAD_PATH = new Set(['ENOENT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'EACCES', 'EPERM', 'EROFS']);

/** One finding as a CSV row: evidence as `table:id (file#record)` pointers, lists joined. */
export function csvRow(f: ScanDocument['findings'][number]): Row {
  return {
    ts: f.ts, severity: f.severity, rule: f.rule, key: f.key, actor: f.actor, summary: f.summary,
    evidence: f.evidence.map((e) => `${evidenceRef(e)}${e.file ? ` (${e.file}${e.record_no !== null ? `#${e.record_no}` : ''})` : ''}`).join('; '),
    mitre: f.mitre.join(' '), owasp_nhi: f.owasp_nhi.join(' '), fingerprint: f.fingerprint, scan_id: f.scan_id,
  };
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content, 'utf8');
  await fs.rename(tmp, file);
}

/**
 * Writes findings.json and findings.csv (and whatever `html` writes) into `dir`, created when missing.
 * @returns the names of the files written
 */
export async function writeScanReport(dir: string, doc: ScanDocument, options: { html?: ScanReportWriter } = {}): Promise<string[]> {
  const outputs: [string, string][] = [
    ['findings.json', renderJson(doc)],
    ['findings.csv', renderCsv(CSV_COLUMNS, doc.findings.map(csvRow))],
  ];
  try {
    await fs.mkdir(dir, { recursive: true });
    for (const [name, content] of outputs) await writeAtomically(path.join(dir, name), content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const message = `cannot write the scan report to ${dir}: ${code || (e as Error).message}`;
    if (BAD_PATH.has(code)) throw new SigtrailError('USAGE', message, { cause: e, hint: 'pass --report with a folder you can write to' });
    throw new SigtrailError('INTERNAL', message, { cause: e });
  }
  const written = outputs.map(([name]) => name);
  if (options.html) written.push(...(await options.html(dir, doc)));
  return written;
}
