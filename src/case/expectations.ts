/**
 * What a sanctioned signing looks like: the case's expectations, plus — for every kind the case
 * leaves empty — values inferred from the key's history. Inferred values are reported as such so
 * the analyst can confirm or correct them in a case file.
 *
 * Inference rule: a workflow, ref, identity, issuer or principal is inferred when it signed with
 * (or read) the key on at least `minDays` distinct UTC days before the case's `window.from`
 * (or in the whole history when no `from` is given). Release tags are generalised to
 * `refs/tags/*` first. An attacker active on two days before the analysis would be inferred too,
 * which is why the list is shown.
 */
import type { Store } from '../store/database.js';
import { globToLike } from './glob.js';
import { EXPECT_KINDS, type CaseSpec, type ExpectKind } from './spec.js';

export interface Expectation {
  kind: ExpectKind;
  value: string;
  inferred: boolean;
  /** For inferred values: distinct days and uses that supported the inference. */
  days?: number;
  uses?: number;
}

const INFER_SQL = `
WITH hist AS (
  SELECT 'workflows' AS k, wf AS v, started_at AS ts FROM c_build WHERE passed
  UNION ALL SELECT 'refs', c_ref_general(ref), started_at FROM c_build WHERE passed
  UNION ALL SELECT 'workflows', swf, integrated_time FROM c_sig WHERE mode = 'keyless'
  UNION ALL SELECT 'refs', c_ref_general(sref), integrated_time FROM c_sig WHERE mode = 'keyless'
  UNION ALL SELECT 'identities', c_san_general(san), integrated_time FROM c_sig WHERE mode = 'keyless'
  UNION ALL SELECT 'issuers', oidc_issuer, integrated_time FROM c_sig WHERE mode = 'keyless'
  UNION ALL SELECT 'principals', COALESCE(principal, actor), ts FROM c_ev
            WHERE action IN ('key.sign', 'secret.read') AND outcome = 'success'
  UNION ALL SELECT 'refs', c_ref_general(ref), ts FROM c_signctx WHERE outcome = 'success'
  UNION ALL SELECT 'workflows', COALESCE(x.wf, b.wf), x.ts FROM c_signctx x LEFT JOIN c_signbuild b USING (event_uid)
            WHERE x.outcome = 'success'
)
SELECT k, v, count(DISTINCT c_day(ts)) AS days, count(*) AS uses
FROM hist
WHERE v IS NOT NULL AND ts IS NOT NULL AND ($before IS NULL OR ts < CAST($before AS TIMESTAMPTZ))
  AND list_contains($kinds, k)
GROUP BY k, v
HAVING count(DISTINCT c_day(ts)) >= $min_days
ORDER BY k, v`;

/** Infers the kinds the case leaves empty; returns the explicit and inferred expectations. */
export async function resolveExpectations(store: Store, spec: CaseSpec, minDays = 2): Promise<Expectation[]> {
  const out: Expectation[] = [];
  for (const kind of EXPECT_KINDS) for (const value of spec.expected[kind]) out.push({ kind, value, inferred: false });
  const missing = EXPECT_KINDS.filter((k) => spec.expected[k].length === 0);
  if (missing.length > 0) {
    const rows = await store.all<{ k: ExpectKind; v: string; days: number; uses: number }>(INFER_SQL, {
      before: spec.window.from, kinds: missing, min_days: minDays,
    });
    for (const r of rows) out.push({ kind: r.k, value: r.v, inferred: true, days: r.days, uses: r.uses });
  }
  return out;
}

/** Loads the expectations into the one-row TEMP table c_x as LIKE-pattern lists (bound). */
export async function loadExpectations(store: Store, expectations: readonly Expectation[]): Promise<void> {
  const by = (k: ExpectKind): string[] => expectations.filter((e) => e.kind === k).map((e) => globToLike(e.value));
  const explicit = (k: ExpectKind): boolean => expectations.some((e) => e.kind === k && !e.inferred);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE c_x AS SELECT
       CAST($workflows AS VARCHAR[]) AS workflows, CAST($refs AS VARCHAR[]) AS refs,
       CAST($identities AS VARCHAR[]) AS identities, CAST($issuers AS VARCHAR[]) AS issuers,
       CAST($principals AS VARCHAR[]) AS principals,
       CAST($ex_workflows AS BOOLEAN) AS explicit_workflows, CAST($ex_refs AS BOOLEAN) AS explicit_refs,
       CAST($ex_identities AS BOOLEAN) AS explicit_identities, CAST($ex_issuers AS BOOLEAN) AS explicit_issuers,
       CAST($ex_principals AS BOOLEAN) AS explicit_principals`,
    {
      workflows: by('workflows'), refs: by('refs'), identities: by('identities'), issuers: by('issuers'), principals: by('principals'),
      ex_workflows: explicit('workflows'), ex_refs: explicit('refs'), ex_identities: explicit('identities'),
      ex_issuers: explicit('issuers'), ex_principals: explicit('principals'),
    },
  );
}
