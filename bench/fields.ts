/**
 * The fields each contender extracts, written once as JSON paths and turned into the three
 * dialects that need them: a typed `read_json(columns = …)` projection (the DuckDB floor), a jq
 * filter, and a JavaScript getter (the naive Node parser). Everyone pulls exactly the same values
 * out of the same records, so only the method differs.
 */
import { FIELDS as CLOUDTRAIL_FIELDS } from '../src/sources/aws-cloudtrail/map.js';

export type FieldMap = Readonly<Record<string, string>>;

/** One step of a path: an object key or a 0-based array index. */
type Step = { key: string } | { index: number };

const STEP = /\.("([^"]+)"|[A-Za-z0-9_@-]+)|\[(\d+)\]/y;

export function parsePath(path: string): Step[] {
  if (!path.startsWith('$')) throw new Error(`bad path ${path}`);
  const steps: Step[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const at = STEP.lastIndex;
    const m = STEP.exec(path);
    if (!m || m.index !== at) throw new Error(`bad path ${path}`);
    if (m[3] !== undefined) steps.push({ index: Number(m[3]) });
    else steps.push({ key: m[2] ?? m[1] });
  }
  return steps;
}

/** A type tree built from paths: every leaf is a string, `[N]` makes a list. */
interface Node {
  list: boolean;
  children: Map<string, Node>;
}

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function typeOf(n: Node): string {
  const inner = n.children.size === 0
    ? 'VARCHAR'
    : `STRUCT(${[...n.children].map(([k, c]) => `${quoteIdent(k)} ${typeOf(c)}`).join(', ')})`;
  return n.list ? `${inner}[]` : inner;
}

/**
 * `read_json(…, columns = {…})` and a SELECT list for the paths. DuckDB matches JSON keys to
 * struct fields case-insensitively, so paths differing only in case (`aRN`/`arn`) read one field.
 */
export function duckdbProjection(fields: FieldMap, prefix?: string): { columns: string; select: string } {
  const root: Node = { list: false, children: new Map() };
  const exprs: string[] = [];
  for (const [name, path] of Object.entries(fields)) {
    let node = root;
    let expr = '';
    for (const step of parsePath(path)) {
      if ('key' in step) {
        const existing = [...node.children.keys()].find((k) => k.toLowerCase() === step.key.toLowerCase());
        const key = existing ?? step.key;
        if (!existing) node.children.set(key, { list: false, children: new Map() });
        node = node.children.get(key)!;
        expr = expr ? `${expr}.${quoteIdent(key)}` : prefix ? `${prefix}.${quoteIdent(key)}` : quoteIdent(key);
      } else {
        node.list = true;
        expr = `${expr}[${step.index + 1}]`;
      }
    }
    exprs.push(`${expr} AS ${quoteIdent(name)}`);
  }
  const columns = `{${[...root.children].map(([k, c]) => `${quoteIdent(k).replace(/^"|"$/g, "'")}: '${typeOf(c).replace(/'/g, "''")}'`).join(', ')}}`;
  return { columns, select: exprs.join(', ') };
}

/**
 * A jq filter printing the fields of each record as one compact array (`getpath` yields null for
 * a missing path, `try` covers a path through a non-object, as DuckDB and the naive parser do).
 */
export function jqFilter(fields: FieldMap, unwrap?: string): string {
  const items = Object.values(fields).map((p) => {
    const steps = parsePath(p).map((s) => ('key' in s ? s.key : s.index));
    return `(try getpath(${JSON.stringify(steps)}) catch null)`;
  });
  return `${unwrap ? `.${unwrap}[] | ` : ''}[${items.join(', ')}]`;
}

/** Each path as keys and array indexes, for the naive parser (which imports nothing). */
export function jsSteps(fields: FieldMap): (string | number)[][] {
  return Object.values(fields).map((p) => parsePath(p).map((s) => ('key' in s ? s.key : s.index)));
}

export { CLOUDTRAIL_FIELDS };

/** What a GitHub audit adapter reads (SCHEMAS.md §2). */
export const GITHUB_FIELDS: FieldMap = {
  ts: '$."@timestamp"',
  created_at: '$.created_at',
  document_id: '$._document_id',
  action: '$.action',
  actor: '$.actor',
  actor_ip: '$.actor_ip',
  user_agent: '$.user_agent',
  org: '$.org',
  repo: '$.repo',
  hashed_token: '$.hashed_token',
  token_id: '$.token_id',
  workflow_run_id: '$.workflow_run_id',
  head_sha: '$.head_sha',
  head_branch: '$.head_branch',
  run_attempt: '$.run_attempt',
  event: '$.event',
  conclusion: '$.conclusion',
  job_name: '$.job_name',
  job_workflow_ref: '$.job_workflow_ref',
  secret0: '$.secrets_passed[0]',
  runner_name: '$.runner_name',
  is_hosted_runner: '$.is_hosted_runner',
};

/** What a Rekor adapter reads from each v1 API entry (SCHEMAS.md §1a), besides the uuid key. */
export const REKOR_FIELDS: FieldMap = {
  body: '$.body',
  integrated_time: '$.integratedTime',
  log_id: '$.logID',
  log_index: '$.logIndex',
  root_hash: '$.verification.inclusionProof.rootHash',
  tree_size: '$.verification.inclusionProof.treeSize',
  set: '$.verification.signedEntryTimestamp',
};
