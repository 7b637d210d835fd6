/**
 * Builds one investigation's case tables (see tables.ts) from a CaseSpec: selectors and
 * expectations go in through bound inserts, everything else is sigtrail's own SQL.
 */
import { pairKmsSignatures } from '../analyses/pairing.js';
import type { Store } from '../store/database.js';
import { loadExpectations, resolveExpectations, type Expectation } from './expectations.js';
import { CASE_MACROS } from './macros.js';
import { selectorPatterns } from './selector.js';
import type { CaseSpec } from './spec.js';
import { COVERAGE_SQL, RESOLVE_SQL, SIGNBUILD_SQL, USES_SQL } from './tables.js';

export type ResolveParams = {
  log_delay_s: number;
  job_max_h: number;
  pair_window_s: number;
  clock_skew_s: number;
};

export interface ResolvedCase {
  expectations: Expectation[];
  /** The store values each selector resolved to (key targets, secret names, fingerprints). */
  aliases: { kind: 'key' | 'secret' | 'fingerprint' | 'identity'; value: string }[];
  counts: { events: number; signatures: number; pairs: number };
}

/** Creates the TEMP case tables for `spec` on the store's connection (replacing earlier ones). */
export async function resolveCase(store: Store, spec: CaseSpec, params: ResolveParams): Promise<ResolvedCase> {
  await store.exec(CASE_MACROS);
  await store.exec('CREATE OR REPLACE TEMP TABLE c_pattern (kind VARCHAR, pattern VARCHAR, ci BOOLEAN, selector VARCHAR)');
  for (const sel of spec.keys) {
    for (const p of selectorPatterns(sel)) {
      await store.run('INSERT INTO c_pattern VALUES ($1, $2, $3, $4)', [p.kind, p.pattern, p.ci, p.selector]);
    }
  }
  for (const sql of RESOLVE_SQL) await store.run(sql, { ...params });
  await store.exec(COVERAGE_SQL);
  const pairs = await pairKmsSignatures(store, params);
  await store.run(SIGNBUILD_SQL, { ...params, all_signs: spec.expected.workflows.length === 0 });
  const expectations = await resolveExpectations(store, spec);
  await loadExpectations(store, expectations);
  await store.exec(USES_SQL);
  const aliases = await store.all<{ kind: ResolvedCase['aliases'][number]['kind']; value: string }>(
    `SELECT 'key' AS kind, target AS value FROM c_key
     UNION ALL SELECT 'secret', name FROM c_secret
     UNION ALL SELECT DISTINCT 'fingerprint', key_fingerprint FROM c_sig WHERE key_fingerprint IS NOT NULL AND mode <> 'keyless'
     UNION ALL SELECT DISTINCT 'identity', san FROM c_sig WHERE mode = 'keyless' AND san IS NOT NULL
     ORDER BY 1, 2`,
  );
  const counts = await store.one<{ events: number; signatures: number }>(
    'SELECT (SELECT count(*) FROM c_ev) AS events, (SELECT count(*) FROM c_sig) AS signatures',
  );
  return { expectations, aliases, counts: { events: counts?.events ?? 0, signatures: counts?.signatures ?? 0, pairs } };
}
