/**
 * The analyses over what the real github-audit adapter writes (test/fixtures/github-audit: a
 * pull_request_target run hands COSIGN_PRIVATE_KEY to a self-hosted job; release v2.4.0 signs in
 * two attempts; the secret is rotated on 2025-03-11). Job records of the audit log carry no ref,
 * actor or end: they come from their run's records.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvestigationResult } from '../../src/analyses/types.js';
import type { Store } from '../../src/store/database.js';
import { CaseBuilder } from '../fixtures/case-builder.js';
import { ROOT } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';
import { ids, investigateCase, rule } from './helpers.js';

const FP = '5e'.repeat(32);
let store: Store;
let r: InvestigationResult;
const sig: Record<string, string> = {};

beforeAll(async () => {
  ({ store } = await storeWith([path.join(ROOT, 'test/fixtures/github-audit/acme-org-audit.ndjson')]));
  const b = new CaseBuilder(store);
  // Rekor entries of the key: inside attempt 1's signing job, and after both attempts ended.
  sig.inJob = await b.signature({ integrated_time: '2025-03-10T10:05:10Z', signer_kind: 'key', key_fingerprint: FP, artifact_digest: '01'.repeat(32) });
  sig.late = await b.signature({ integrated_time: '2025-03-10T11:30:00Z', signer_kind: 'key', key_fingerprint: FP, artifact_digest: '02'.repeat(32) });
  r = await investigateCase(store, {
    keys: ['secret:COSIGN_PRIVATE_KEY', `fp:${FP}`],
    expected: { workflows: ['acme-corp/ledger/.github/workflows/release.yml'], refs: ['refs/tags/v*'] },
  });
});
afterAll(() => store.close());

describe('over the real GitHub audit adapter', () => {
  it('flags the pull_request_target job that received the key, with its run\'s ref and actor', async () => {
    const job = await store.one<{ ci_uid: string }>("SELECT ci_uid FROM ci_runs WHERE run_id = '13578811442' AND level = 'job'");
    const audit = await store.one<{ event_uid: string }>("SELECT event_uid FROM events WHERE run_id = '13578811442' AND action = 'ci.job'");
    const s = rule(r, 'SECRET_TO_UNEXPECTED_JOB');
    expect(s.map((f) => [f.ts, f.actor, ids(f)])).toEqual([['2025-03-09T23:02:58.117Z', 'jpatel-contractor', [job!.ci_uid, audit!.event_uid]]]);
    expect(s[0].summary).toBe('COSIGN_PRIVATE_KEY passed to acme-corp/ledger/.github/workflows/pr-checks.yml (run 13578811442, ref refs/pull/*/merge from fix-typo-in-readme), which is not an expected signing workflow');
    // A pull_request_target run signs from the PR's merge ref, whatever its head branch is called.
    expect(rule(r, 'UNEXPECTED_REF')[0].summary).toMatch(/^job passed the key's secret on ref refs\/pull\/\*\/merge \(run 13578811442\)/);
  });

  it('cites that job as the first exposure and the signature outside any build as the first evidence, from the secret\'s creation to its rotation', () => {
    expect(r.window).toMatchObject({
      earliest_possible: '2025-03-03T09:12:44.518Z', first_evidence: '2025-03-10T11:30:00Z', contained_at: '2025-03-11T08:40:12.775Z',
    });
    expect(r.window.evidence.find((e) => e.bound === 'first_exposure')).toMatchObject({ ts: '2025-03-09T23:02:58.117Z', ref: expect.stringMatching(/^ci_runs:/) as unknown });
    expect(r.window.evidence.find((e) => e.bound === 'first_evidence')).toMatchObject({ ref: `signatures:${sig.late}` });
    expect(r.window.evidence.find((e) => e.bound === 'contained_at')!.summary).toBe('org.update_actions_secret on COSIGN_PRIVATE_KEY by mleroux');
  });

  it('attests the signature made inside the release job (bounded by its run\'s completion) and not the one after it', () => {
    const inJob = r.signed.find((s) => s.entry_uuid === sig.inJob)!;
    expect(inJob.verdict).toBe('attested');
    expect(inJob.reasons[0]).toMatch(/^job sign-and-publish of acme-corp\/ledger\/\.github\/workflows\/release\.yml on v2\.4\.0 \(run 13579246801\) was passed COSIGN_PRIVATE_KEY and ran 2025-03-10T10:03:41Z to 2025-03-10T10:07:55Z$/);
    const late = r.signed.find((s) => s.entry_uuid === sig.late)!;
    expect(late).toMatchObject({ verdict: 'unattested', rules: ['SIGNED_WITHOUT_BUILD'] });
  });
});
