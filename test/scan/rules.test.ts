/**
 * The store-wide rules of `scan --all-keys` (queries/scan/), each with positive and negative
 * cases on canonical rows: what a full baseline is, how aliases fold into their key, when a
 * keyless or key-based signature lacks a build, and when that cannot be judged yet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadAnalyses } from '../../src/analyses/registry.js';
import { RULES } from '../../src/analyses/types.js';
import { DEFAULT_TUNABLES } from '../../src/scan/all-keys.js';
import { parseDuration } from '../../src/scan/duration.js';
import { runScan, type ScanDocument } from '../../src/scan/run.js';
import { scanRules } from '../../src/scan/store-rules.js';
import { markDelivered } from '../../src/scan/watermark.js';
import { CaseBuilder, type EventRow } from '../fixtures/case-builder.js';
import { UsageError } from '../../src/errors.js';

const DAY0 = Date.parse('2025-06-01T00:00:00Z');
const at = (day: number, h = 10, m = 0): string => new Date(DAY0 + day * 86_400_000 + (h * 60 + m) * 60_000).toISOString();
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-1111-4222-a333-444455556666';
const ROLE = 'arn:aws:iam::111122223333:role/release-signer';

let b: CaseBuilder | undefined;
afterEach(() => b?.close());

async function scan(builder: CaseBuilder): Promise<ScanDocument> {
  const out = await runScan(builder.store, { mode: { kind: 'all-keys' }, sinceSeconds: 86_400, tunables: DEFAULT_TUNABLES });
  await markDelivered(builder.store, out.deliver);
  return out.doc;
}

const sign = (day: number, principal: string, extra: Partial<EventRow> = {}): EventRow => ({
  source: 'aws.cloudtrail', ts: at(day), action: 'key.sign', native_action: 'kms:Sign', principal, actor: principal, target: KEY,
  source_ip: '140.82.112.20', user_agent: 'aws-sdk-go-v2/1.30.0', credential_id: 'ASIAEXAMPLE', ...extra,
});

describe('queries/scan/ declares itself', () => {
  const rules = scanRules();
  it('one store-wide rule per watched behaviour, each a SPEC.md rule id with the investigation rule\'s mappings', () => {
    expect(rules.map((a) => a.extra.rule).sort()).toEqual(
      ['SECRET_TO_UNEXPECTED_JOB', 'SIGNED_WITHOUT_BUILD', 'SIGN_DENIED', 'UNEXPECTED_REF', 'UNEXPECTED_SOURCE_IP', 'UNKNOWN_SIGNER'],
    );
    const caseRules = loadAnalyses().filter((a) => a.extra.kind === 'rule');
    for (const a of rules) {
      expect(RULES).toContain(a.extra.rule);
      expect(a.extra.scope).toBe('store');
      expect(a.id).toBe(`scan_${caseRules.find((c) => c.extra.rule === a.extra.rule)!.id}`);
      const twin = caseRules.find((c) => c.extra.rule === a.extra.rule)!;
      expect([a.mitre, a.owaspNhi, a.severity]).toEqual([twin.mitre, twin.owaspNhi, twin.severity]);
      // Everything they read comes from the scan tables; nothing is bound into their SQL.
      expect(a.params).toEqual([]);
      expect(a.sql.split('\n').filter((l) => !l.startsWith('--')).join('\n')).not.toMatch(/\$[a-z_]/);
    }
  });
});

describe('new-terms rules', () => {
  it('a principal is new when not seen on the key in the baseline before its use, and only keys with a full baseline are judged', async () => {
    b = await CaseBuilder.open();
    for (let day = -40; day < 0; day++) await b.event(sign(day, ROLE));
    await b.event(sign(-35, 'arn:aws:iam::111122223333:user/old-admin'));
    await b.event(sign(-10, 'arn:aws:iam::111122223333:user/recent-admin'));
    // A second key, used for ten days only: no full baseline.
    for (let day = -10; day < 0; day++) await b.event(sign(day, ROLE, { target: `${KEY}-young` }));
    await b.event(sign(0, 'arn:aws:iam::111122223333:user/old-admin'));
    await b.event(sign(0, 'arn:aws:iam::111122223333:user/recent-admin'));
    await b.event(sign(0, 'arn:aws:iam::111122223333:user/stranger', { target: `${KEY}-young` }));
    const doc = await scan(b);
    expect(doc.findings.map((f) => [f.rule, f.key, f.actor])).toEqual([
      ['UNKNOWN_SIGNER', `kms:${KEY}`, 'arn:aws:iam::111122223333:user/old-admin'],
    ]);
  });

  it('a sign call that names the key by alias is judged on the key the alias resolves to', async () => {
    b = await CaseBuilder.open();
    for (let day = -40; day < 0; day++) await b.event(sign(day, ROLE, { details: { key_id: 'alias/release' } }));
    await b.event(sign(0, ROLE, { target: 'arn:aws:kms:us-east-1:111122223333:alias/release', source_ip: '203.0.113.50' }));
    const doc = await scan(b);
    expect(doc.findings.map((f) => [f.rule, f.key])).toEqual([['UNEXPECTED_SOURCE_IP', `kms:${KEY}`]]);
    expect(doc.findings[0].summary).toMatch(/new source address 203\.0\.113\.50/);
  });
});

describe('SIGNED_WITHOUT_BUILD', () => {
  const SAN = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0';
  const keyless = (day: number, run: string, m = 2) => ({
    integrated_time: at(day, 10, m), signer_kind: 'cert' as const, san: SAN, oidc_issuer: 'https://token.actions.githubusercontent.com',
    run_invocation_uri: `https://github.com/acme/app/actions/runs/${run}/attempts/1`, repo: 'acme/app',
  });
  const run = (day: number, id: string) => ({
    level: 'run' as const, run_id: id, repo: 'acme/app', workflow: '.github/workflows/release.yml', ref: 'refs/tags/v1.0',
    started_at: at(day, 9, 58), completed_at: at(day, 10, 6),
  });

  it('keyless: the run its certificate names must be in the CI records and contain it, where those records cover its time', async () => {
    b = await CaseBuilder.open();
    await b.ciRun(run(0, '100'));
    await b.ciRun(run(0, '101'));
    await b.ciRun({ ...run(0, '900'), started_at: at(0, 22), completed_at: at(0, 22, 10) });
    const ok = await b.signature(keyless(0, '100'));
    const missing = await b.signature(keyless(0, '555'));
    const outside = await b.signature(keyless(0, '101', 30));
    const uncovered = await b.signature({ ...keyless(0, '556'), integrated_time: at(0, 23) });
    const doc = await scan(b);
    const swb = doc.findings.filter((f) => f.rule === 'SIGNED_WITHOUT_BUILD');
    expect(swb.map((f) => f.evidence[0].entry_uuid).sort()).toEqual([missing, outside].sort());
    expect(swb.map((f) => f.key)).toEqual(['identity:https://github.com/acme/app/*', 'identity:https://github.com/acme/app/*']);
    expect(swb.find((f) => f.evidence[0].entry_uuid === missing)!.summary).toMatch(/run 555 named by its certificate is not in the CI records/);
    expect([ok, uncovered].some((u) => swb.some((f) => f.evidence[0].entry_uuid === u))).toBe(false);
  });

  it('key-based: learnt from the baseline, deferred until the CI records reach the entry, then reported', async () => {
    b = await CaseBuilder.open();
    const FP = 'ab'.repeat(32);
    for (let day = -10; day < 0; day++) {
      await b.ciRun({ level: 'job', run_id: String(200 + day), job_name: 'sign', repo: 'acme/app', workflow: '.github/workflows/release.yml',
        started_at: at(day, 9, 58), completed_at: at(day, 10, 6), secrets_passed: ['COSIGN_KEY'] });
      await b.signature({ integrated_time: at(day, 10, 2), signer_kind: 'key', key_fingerprint: FP });
    }
    await b.ciRun({ level: 'job', run_id: '300', job_name: 'lint', repo: 'acme/app', workflow: '.github/workflows/ci.yml', started_at: at(0, 11), completed_at: at(0, 11, 5) });
    const rogue = await b.signature({ integrated_time: at(0, 15), signer_kind: 'key', key_fingerprint: FP });
    const first = await scan(b);
    expect(first.findings).toEqual([]);
    // The evening's CI records arrive with the next delivery: now the logs cover 15:00.
    const later = new CaseBuilder(b.store);
    await later.ciRun({ level: 'job', run_id: '301', job_name: 'nightly', repo: 'acme/app', workflow: '.github/workflows/nightly.yml', started_at: at(0, 22), completed_at: at(0, 22, 20) });
    const second = await scan(b);
    expect(second.findings.map((f) => [f.rule, f.key, f.evidence[0].entry_uuid])).toEqual([['SIGNED_WITHOUT_BUILD', `fp:${FP}`, rogue]]);
    expect(second.findings[0].summary).toMatch(/no job passed secret:COSIGN_KEY was running \(its baseline: 10 of 10 entries had one\)/);
  });
});

describe('--since', () => {
  it('takes whole durations only', () => {
    expect([parseDuration('24h'), parseDuration('90m'), parseDuration('7d'), parseDuration('2w'), parseDuration('30s')]).toEqual([86_400, 5400, 604_800, 1_209_600, 30]);
    for (const bad of ['24', '1.5d', '24hours', '-1h', '0h', '']) expect(() => parseDuration(bad)).toThrow(UsageError);
  });
});
