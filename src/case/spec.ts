/**
 * The case: which key (all its aliases), what a sanctioned signing looks like, and optional
 * analyst overrides of the window. It comes from `--case case.json` (SPEC.md format), `--key`
 * selectors and `--expect-*` flags, merged; every mistake is a usage error naming the field.
 */
import fs from 'node:fs';
import { UsageError, messageOf } from '../errors.js';
import { parseSelector, type Selector } from './selector.js';

export const EXPECT_KINDS = ['workflows', 'refs', 'identities', 'issuers', 'principals'] as const;
export type ExpectKind = (typeof EXPECT_KINDS)[number];
export type Expectations = Record<ExpectKind, string[]>;

/** The `--expect-*` flag for each kind (singular, repeatable). */
export const EXPECT_FLAGS: Record<ExpectKind, string> = {
  workflows: '--expect-workflow',
  refs: '--expect-ref',
  identities: '--expect-identity',
  issuers: '--expect-issuer',
  principals: '--expect-principal',
};

export interface CaseSpec {
  name: string | null;
  keys: Selector[];
  expected: Expectations;
  /** Analyst overrides of the window bounds, ISO-8601 UTC. */
  window: { from: string | null; to: string | null };
}

export interface CaseInput {
  keys?: readonly string[];
  caseFile?: string;
  expect?: Partial<Record<ExpectKind, readonly string[]>>;
}

const MAX_CASE_BYTES = 1024 * 1024;
const MAX_VALUE = 2048;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A case with no expectations of any kind. */
export function emptyExpectations(): Expectations {
  return { workflows: [], refs: [], identities: [], issuers: [], principals: [] };
}

/**
 * An ISO-8601 time → ISO UTC. A date alone means midnight UTC; a time without a zone is UTC.
 * Anything else (Date.parse would accept "March 3") is refused.
 */
export function parseTime(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new UsageError(`${field} must be an ISO-8601 time string or null`);
  const v = value.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(v);
  if (!m) throw new UsageError(`${field} "${v.slice(0, 60)}" is not an ISO-8601 time`, { hint: 'e.g. 2025-03-10T14:00:00Z' });
  const time = m[2] ? m[2].replace(/(\.\d{3})\d+$/, '$1') : '00:00:00';
  const zone = m[3] ? (m[3].toUpperCase() === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const d = new Date(`${m[1]}T${time}${zone}`);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${field} "${v}" is not a valid time`);
  return d.toISOString();
}

function stringValue(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new UsageError(`${field} must be a string`);
  const s = v.trim();
  if (s === '') throw new UsageError(`${field} is empty`);
  if (s.length > MAX_VALUE) throw new UsageError(`${field} is longer than ${MAX_VALUE} characters`);
  if (CONTROL.test(s)) throw new UsageError(`${field} contains control characters`);
  return s;
}

/** A list of strings; `label` prefixes the quoted field name in errors (`case.json: "expected.refs[1]"`). */
function stringList(v: unknown, label: string, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new UsageError(`${label}: "${name}" must be a list of strings`);
  return v.map((x, i) => stringValue(x, `${label}: "${name}[${i}]"`));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed case document; `label` prefixes every field name in errors. */
export function parseCaseDocument(doc: unknown, label = 'case'): CaseSpec {
  if (!isObject(doc)) throw new UsageError(`${label}: the case file must be a JSON object`);
  const known = new Set(['name', 'keys', 'expected', 'window', 'description', 'notes']);
  for (const k of Object.keys(doc)) {
    if (!known.has(k)) throw new UsageError(`${label}: unknown field "${k}"`, { hint: `fields: ${[...known].join(', ')}` });
  }
  const name = doc.name === undefined || doc.name === null ? null : stringValue(doc.name, `${label}: "name"`);
  if (!Array.isArray(doc.keys)) throw new UsageError(`${label}: "keys" must be a list of selectors`);
  const keys = doc.keys.map((k, i) => parseSelector(k, `${label}: "keys[${i}]"`));
  const expected = emptyExpectations();
  if (doc.expected !== undefined && doc.expected !== null) {
    if (!isObject(doc.expected)) throw new UsageError(`${label}: "expected" must be an object`);
    for (const k of Object.keys(doc.expected)) {
      if (!(EXPECT_KINDS as readonly string[]).includes(k)) {
        throw new UsageError(`${label}: unknown field "expected.${k}"`, { hint: `one of: ${EXPECT_KINDS.join(', ')}` });
      }
      expected[k as ExpectKind] = stringList(doc.expected[k], label, `expected.${k}`);
    }
  }
  const window = { from: null as string | null, to: null as string | null };
  if (doc.window !== undefined && doc.window !== null) {
    if (!isObject(doc.window)) throw new UsageError(`${label}: "window" must be an object with "from" and "to"`);
    for (const k of Object.keys(doc.window)) {
      if (k !== 'from' && k !== 'to') throw new UsageError(`${label}: unknown field "window.${k}"`, { hint: 'fields: from, to' });
    }
    if (doc.window.from !== undefined && doc.window.from !== null) window.from = parseTime(doc.window.from, `${label}: "window.from"`);
    if (doc.window.to !== undefined && doc.window.to !== null) window.to = parseTime(doc.window.to, `${label}: "window.to"`);
  }
  checkWindow(window, `${label}: "window"`);
  return { name, keys, expected, window };
}

function checkWindow(w: { from: string | null; to: string | null }, field: string): void {
  if (w.from && w.to && w.from > w.to) throw new UsageError(`${field}: from (${w.from}) is after to (${w.to})`);
}

/** Reads and validates a case file. */
export function loadCaseFile(path: string): CaseSpec {
  let text: string;
  try {
    const st = fs.statSync(path);
    if (st.size > MAX_CASE_BYTES) throw new UsageError(`case file ${path} is larger than 1 MiB`);
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read case file ${path}: ${messageOf(e).split('\n')[0]}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`case file ${path} is not valid JSON: ${messageOf(e)}`);
  }
  return parseCaseDocument(doc, path);
}

/** Merges a case file, `--key` selectors and `--expect-*` flags into one case. */
export function buildCase(input: CaseInput): CaseSpec {
  const base: CaseSpec = input.caseFile
    ? loadCaseFile(input.caseFile)
    : { name: null, keys: [], expected: emptyExpectations(), window: { from: null, to: null } };
  const keys = [...base.keys, ...(input.keys ?? []).map((k) => parseSelector(k, `--key "${k}"`))];
  if (keys.length === 0) {
    throw new UsageError('no key named', { hint: 'pass --key <selector> (fp:, kms:, vault:, secret:, identity:) or --case <file>' });
  }
  const seen = new Set<string>();
  const unique = keys.filter((k) => (seen.has(k.text) ? false : (seen.add(k.text), true)));
  const expected = { ...base.expected };
  for (const kind of EXPECT_KINDS) {
    const extra = (input.expect?.[kind] ?? []).map((v, i) => stringValue(v, `${EXPECT_FLAGS[kind]} #${i + 1}`));
    expected[kind] = [...new Set([...base.expected[kind], ...extra])];
  }
  return { name: base.name, keys: unique, expected, window: { ...base.window } };
}
