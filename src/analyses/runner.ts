/**
 * Runs one analysis file with bound parameters. The values an analysis receives are exactly the
 * parameters its header declares (`-- params: name:type=default`), taken by name from the
 * investigation's values or, when absent, from the header default; nothing is spliced into its SQL.
 */
import { SigtrailError } from '../errors.js';
import type { Param, Store } from '../store/database.js';
import type { Row } from '../store/values.js';
import { fetchRows } from './fetch.js';
import type { Analysis, ParamSpec } from './registry.js';

export type Values = Readonly<Record<string, Param | undefined>>;

/** The analysis SQL without its trailing semicolon(s), ready to be used as a subquery. */
export function sqlBody(a: Analysis): string {
  return a.sql.replace(/;\s*$/s, '').replace(/\s+$/s, '');
}

function fromDefault(p: ParamSpec): Param {
  if (p.default === undefined || p.default === '') return p.type.endsWith('[]') ? [] : null;
  switch (p.type) {
    case 'integer':
    case 'double':
      return Number(p.default);
    case 'boolean':
      return p.default === 'true';
    default:
      return p.type.endsWith('[]') ? p.default.split('|') : p.default;
  }
}

/** The bound parameters for `a`: each declared name from `values`, else its default. */
export function bindDeclared(a: Analysis, values: Values): Record<string, Param> {
  const out: Record<string, Param> = {};
  for (const p of a.params) {
    const v = values[p.name];
    out[p.name] = v === undefined ? fromDefault(p) : v;
  }
  return out;
}

/** Runs an analysis and returns its columns and rows. */
export async function runAnalysis(store: Store, a: Analysis, values: Values): Promise<{ columns: string[]; rows: Row[] }> {
  try {
    return await fetchRows(store, sqlBody(a), bindDeclared(a, values));
  } catch (e) {
    throw new SigtrailError('DATABASE', `analysis ${a.id} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Runs an analysis into TEMP table `table` (replacing it). */
export async function materialise(store: Store, table: string, a: Analysis, values: Values): Promise<void> {
  if (!/^c_[a-z_]+$/.test(table)) throw new SigtrailError('INTERNAL', `bad case table name ${table}`);
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${sqlBody(a)}\n`, bindDeclared(a, values));
  } catch (e) {
    throw new SigtrailError('DATABASE', `analysis ${a.id} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The findings of one investigation, stamped with rule, severity and stage by runRule. */
export const FINDINGS_DDL = `CREATE OR REPLACE TEMP TABLE c_finding (
  rule VARCHAR, severity VARCHAR, stage VARCHAR, ts TIMESTAMPTZ, actor VARCHAR, principal VARCHAR, credential_id VARCHAR,
  source_ip VARCHAR, run_id VARCHAR, summary VARCHAR, subject VARCHAR,
  evidence STRUCT(tbl VARCHAR, id VARCHAR, file_id INTEGER, record_no BIGINT)[]
)`;

/** Runs a rule file and appends its rows to c_finding, stamped with the rule id, severity and stage. */
export async function runRule(store: Store, a: Analysis, values: Values): Promise<number> {
  const rule = a.extra.rule;
  const stage = a.extra.stage;
  if (!rule || !stage) throw new SigtrailError('INTERNAL', `${a.file}: a rule needs "rule" and "stage" header fields`);
  try {
    return await store.run(
      `INSERT INTO c_finding BY NAME
       SELECT CAST($rule_id AS VARCHAR) AS rule, CAST($rule_severity AS VARCHAR) AS severity, CAST($rule_stage AS VARCHAR) AS stage, q.*
       FROM (${sqlBody(a)}\n) q`,
      { ...bindDeclared(a, values), rule_id: rule, rule_severity: a.severity, rule_stage: stage },
    );
  } catch (e) {
    throw new SigtrailError('DATABASE', `rule ${rule} (${a.id}) failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
