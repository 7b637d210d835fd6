/**
 * `sigtrail query <id>` for the case-scoped analyses (header `scope: case`): the case comes from
 * `--param key=<selector>` (repeatable), `--param case=<file>` and `--param expect_<kind>=<glob>`;
 * the analysis's own declared parameters bind as usual.
 */
import { buildCase, EXPECT_KINDS, type ExpectKind } from '../case/spec.js';
import { UsageError } from '../errors.js';
import type { Param, Store } from '../store/database.js';
import type { Row } from '../store/values.js';
import { Investigation } from './investigate.js';
import type { Analysis } from './registry.js';

const SINGULAR: Record<string, ExpectKind> = {
  expect_workflow: 'workflows', expect_ref: 'refs', expect_identity: 'identities', expect_issuer: 'issuers', expect_principal: 'principals',
};

/**
 * Runs a case-scoped analysis or rule with `--param` pairs. With a `cacheDir`, the investigation
 * starts from (and `saved` receives it to update) the case cache.
 */
export async function runCaseQuery(
  store: Store, a: Analysis, pairs: readonly string[],
  cache: { dir: string | null; saved?: (inv: Investigation) => void } = { dir: null },
): Promise<{ columns: string[]; rows: Row[] }> {
  const keys: string[] = [];
  let caseFile: string | undefined;
  const expect: Record<ExpectKind, string[]> = Object.fromEntries(EXPECT_KINDS.map((k) => [k, []])) as unknown as Record<ExpectKind, string[]>;
  const overrides: Record<string, Param> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--param "${pair}" is not key=value`);
    const k = pair.slice(0, eq);
    const v = pair.slice(eq + 1);
    if (k === 'key') keys.push(v);
    else if (k === 'case') caseFile = v;
    else if (SINGULAR[k]) expect[SINGULAR[k]].push(v);
    else {
      const spec = a.params.find((p) => p.name === k);
      if (!spec) {
        throw new UsageError(`unknown parameter "${k}"`, {
          hint: `parameters: key, case, ${Object.keys(SINGULAR).join(', ')}${a.params.length ? `, ${a.params.map((p) => p.name).join(', ')}` : ''}`,
        });
      }
      if (spec.type === 'integer') {
        if (!/^\d+$/.test(v)) throw new UsageError(`parameter ${k} must be a whole number`);
        overrides[k] = Number(v);
      } else if (spec.type === 'boolean') {
        if (v !== 'true' && v !== 'false') throw new UsageError(`parameter ${k} must be true or false`);
        overrides[k] = v === 'true';
      } else overrides[k] = v;
    }
  }
  const spec = buildCase({ keys, caseFile, expect });
  const options = {
    baselineDays: overrides.baseline_days as number | undefined,
    logDelaySeconds: overrides.log_delay_s as number | undefined,
    pairWindowSeconds: overrides.pair_window_s as number | undefined,
    clockSkewSeconds: overrides.clock_skew_s as number | undefined,
    maxKeyAgeDays: overrides.max_key_age_days as number | undefined,
    gapHours: overrides.gap_hours as number | undefined,
  };
  const inv = new Investigation(store, spec, { ...options, cacheDir: cache.dir });
  cache.saved?.(inv);
  return inv.query(a.id, overrides);
}
