/**
 * The store-wide rules of `--all-keys`: one `.sql` file per rule in queries/scan/, with the same
 * self-describing header as queries/*.sql (`kind: scan-rule`, `rule:` the SPEC.md rule id,
 * `scope: store`). They read the scan tables built by all-keys.ts and return, per finding, the key
 * it is about, time, actor, summary, subject and evidence pointers.
 */
import path from 'node:path';
import { FileIndex, findingFingerprint, rawEvidenceList } from '../analyses/evidence.js';
import { fetchRows } from '../analyses/fetch.js';
import { loadAnalyses, queriesDir, type Analysis, type Severity } from '../analyses/registry.js';
import { sqlBody } from '../analyses/runner.js';
import type { RuleId } from '../analyses/types.js';
import { SigtrailError } from '../errors.js';
import type { Store } from '../store/database.js';
import type { ScanFinding } from './types.js';

/** queries/scan/, beside the investigation analyses. */
export function scanQueriesDir(): string {
  return path.join(queriesDir(), 'scan');
}

/** The store-wide rules, sorted by id. */
export function scanRules(dir = scanQueriesDir()): Analysis[] {
  return loadAnalyses(dir).filter((a) => a.extra.kind === 'scan-rule');
}

const FINDINGS_DDL = `CREATE OR REPLACE TEMP TABLE s_finding (
  rule VARCHAR, severity VARCHAR, scope VARCHAR, ts TIMESTAMPTZ, actor VARCHAR, summary VARCHAR, subject VARCHAR,
  evidence STRUCT(tbl VARCHAR, id VARCHAR, file_id INTEGER, record_no BIGINT)[]
)`;

/** Title and framework mappings of a rule id, from its investigation rule (one place declares them). */
export function ruleMeta(rule: string): { title: string; mitre: string[]; owasp_nhi: string[] } {
  const a = loadAnalyses().find((x) => x.extra.kind === 'rule' && x.extra.rule === rule);
  return { title: a?.title ?? rule, mitre: a?.mitre ?? [], owasp_nhi: a?.owaspNhi ?? [] };
}

/**
 * Runs every store-wide rule over the scan tables.
 * @param timings receives the milliseconds each rule took
 */
export async function runStoreRules(store: Store, timings: Record<string, number> = {}): Promise<ScanFinding[]> {
  await store.exec(FINDINGS_DDL);
  for (const a of scanRules()) {
    const t0 = performance.now();
    try {
      await store.run(
        `INSERT INTO s_finding BY NAME
         SELECT CAST($rule_id AS VARCHAR) AS rule, CAST($rule_severity AS VARCHAR) AS severity, q.* FROM (${sqlBody(a)}\n) q`,
        { rule_id: a.extra.rule, rule_severity: a.severity },
      );
    } catch (e) {
      throw new SigtrailError('DATABASE', `scan rule ${a.id} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    timings[a.id] = performance.now() - t0;
  }
  const files = await FileIndex.load(store);
  const { rows } = await fetchRows(store, 'SELECT * FROM s_finding ORDER BY ts, rule, scope, subject');
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return rows.map((r) => {
    const rule = text(r.rule) as RuleId;
    const key = text(r.scope) ?? '';
    const evidence = rawEvidenceList(r.evidence).map((e) => files.evidence(e));
    return {
      fingerprint: findingFingerprint(rule, [key], evidence),
      rule, severity: text(r.severity) as Severity, ts: text(r.ts), key,
      actor: text(r.actor), summary: text(r.summary) ?? '', evidence, ...ruleMeta(rule), scan_id: null,
    };
  });
}
