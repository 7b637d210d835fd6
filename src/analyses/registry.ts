/**
 * The canned analyses: one `.sql` file per analysis in `queries/`, each starting with a header
 * of `-- key: value` lines that declares it (id, title, description, severity, params, mitre,
 * owasp_nhi). The registry reads the headers; nothing about an analysis is declared twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SigtrailError, UsageError } from '../errors.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ParamSpec {
  name: string;
  type: string;
  default?: string;
}

export interface Analysis {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  params: ParamSpec[];
  mitre: string[];
  owaspNhi: string[];
  /** Any other header keys, verbatim. */
  extra: Record<string, string>;
  sql: string;
  file: string;
}

/** queries/ beside src/ or dist/ (both are one level below the package root). */
export function queriesDir(): string {
  return process.env.SIGTRAIL_QUERIES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../queries');
}

const HEADER_LINE = /^--\s*([a-z_]+):\s*(.*)$/;
const CONTINUATION = /^--\s{2,}(\S.*)$/;

/** Parses the header of one analysis file; throws naming the file and field on a bad header. */
export function parseAnalysis(file: string, text: string): Analysis {
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    // Continuation first: an indented line such as "--   denied: someone…" is prose, not a key.
    const cont = CONTINUATION.exec(line);
    if (cont && last) {
      fields[last] += ` ${cont[1].trim()}`;
      continue;
    }
    const h = HEADER_LINE.exec(line);
    if (h) {
      last = h[1]!;
      fields[last] = h[2].trim();
      continue;
    }
    if (line.trim() === '' || line.startsWith('--')) continue;
    break;
  }
  const need = (k: string): string => {
    const v = fields[k];
    if (!v) throw new SigtrailError('INTERNAL', `${file}: header field "${k}" is missing`);
    return v;
  };
  const severity = need('severity') as Severity;
  if (!SEVERITIES.includes(severity)) throw new SigtrailError('INTERNAL', `${file}: severity "${severity}" is not one of ${SEVERITIES.join(', ')}`);
  const list = (k: string): string[] => (fields[k] ? fields[k].split(',').map((s) => s.trim()).filter(Boolean) : []);
  const params = list('params').map((p) => {
    const m = /^([a-z_][a-z0-9_]*)(?::([a-z_[\]]+))?(?:=(.*))?$/.exec(p);
    if (!m) throw new SigtrailError('INTERNAL', `${file}: bad param declaration "${p}"`);
    return { name: m[1], type: m[2] ?? 'varchar', default: m[3] };
  });
  const known = new Set(['id', 'title', 'description', 'severity', 'params', 'mitre', 'owasp_nhi']);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (!known.has(k)) extra[k] = v;
  return {
    id: need('id'),
    title: need('title'),
    description: need('description'),
    severity,
    params,
    mitre: list('mitre'),
    owaspNhi: list('owasp_nhi'),
    extra,
    sql: text,
    file,
  };
}

let cache: Analysis[] | undefined;

/** All analyses, sorted by id. */
export function loadAnalyses(dir = queriesDir()): Analysis[] {
  if (cache && dir === queriesDir()) return cache;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort() : [];
  const out = files.map((f) => parseAnalysis(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')));
  if (dir === queriesDir()) cache = out;
  return out;
}

export function analysisById(id: string): Analysis {
  const a = loadAnalyses().find((x) => x.id === id);
  if (!a) {
    const ids = loadAnalyses().map((x) => x.id);
    throw new UsageError(`no analysis "${id}"`, { hint: ids.length ? `known: ${ids.join(', ')}` : 'no analyses are installed' });
  }
  return a;
}
