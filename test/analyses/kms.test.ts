/**
 * Cloud KMS keys: CloudTrail records written as AWS documents them go through the real adapter;
 * Rekor entries and Actions runs are canonical rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { CaseBuilder } from '../fixtures/case-builder.js';
import {
  ACCOUNT, assumeRoleWithWebIdentity, assumedRole, githubOidc, iamUser, kmsKeyOp, kmsSign, ndjson,
} from '../fixtures/cloudtrail-records.js';
import { fixtureDir } from '../helpers/paths.js';
import { ids, investigateCase, rule } from './helpers.js';

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const FP = 'c0ffee'.repeat(10) + 'c0ff';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/release-signer`;
const DAY0 = Date.parse('2025-06-01T00:00:00Z');
const at = (day: number, sec: number): string => new Date(DAY0 + day * 86_400_000 + sec * 1000).toISOString().replace('.000Z', 'Z');
const RUNNER_UA = 'aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 api/kms#1.35.0 configure-aws-credentials-for-github-actions';

const CASE = {
  keys: ['kms:alias/release-signing', `fp:${FP}`],
  expected: { workflows: ['acme/ledger/.github/workflows/release.yml'], refs: ['refs/tags/v*'], principals: [ROLE] },
};

let store: Store | undefined;
afterEach(() => store?.close());

interface Options {
  /** IAM user deploy-bot's access key signs from outside at day 0 10:00. */
  leak?: boolean;
  /** DisableKey at day 0 10:30, then a successful sign and a failed one. */
  disable?: boolean;
  /** Day -5: three entries within seconds but only two sign calls. */
  burst?: boolean;
}

/**
 * 40 days of releases: each a GitHub OIDC session (AssumeRoleWithWebIdentity), a KMS Sign by
 * it from a runner, the Rekor entry two seconds later, inside an Actions run of release.yml.
 */
async function build(o: Options = {}): Promise<{ store: Store; b: CaseBuilder; sigs: Record<string, string> }> {
  const records: Record<string, unknown>[] = [];
  const b0: Array<{ day: number; sec: number }> = [];
  for (let day = -40; day < 0; day++) {
    const sec = 10 * 3600;
    const session = `ASIARELEASE${String(day + 100).padStart(9, '0')}`;
    const sub = `repo:acme/ledger:ref:refs/tags/v1.${day + 40}`;
    records.push(assumeRoleWithWebIdentity({ time: at(day, sec - 20), who: githubOidc('acme/ledger', `refs/tags/v1.${day + 40}`), ip: '140.82.112.20', ua: RUNNER_UA }, 'release-signer', 'GitHubActions', session, sub));
    records.push(kmsSign({ time: at(day, sec), who: assumedRole('release-signer', 'GitHubActions', session, at(day, sec - 20)), ip: '140.82.112.20', ua: RUNNER_UA }, KEY));
    b0.push({ day, sec });
  }
  // One call through the alias only (no resources[]): the alias must still resolve to the key.
  records.push(assumeRoleWithWebIdentity({ time: at(-1, 11 * 3600 - 20), who: githubOidc('acme/ledger', 'refs/tags/v1.39'), ip: '140.82.112.20', ua: RUNNER_UA }, 'release-signer', 'GitHubActions', 'ASIAALIASONLY0000001', 'repo:acme/ledger:ref:refs/tags/v1.39'));
  const aliasOnly = kmsSign({ time: at(-1, 11 * 3600), who: assumedRole('release-signer', 'GitHubActions', 'ASIAALIASONLY0000001', at(-1, 11 * 3600 - 20)), ip: '140.82.112.20', ua: RUNNER_UA }, KEY);
  (aliasOnly.requestParameters as Record<string, unknown>).keyId = 'alias/release-signing';
  delete aliasOnly.resources;
  records.push(aliasOnly);
  const ref = (r: Record<string, unknown>): Record<string, unknown> => {
    const rp = r.requestParameters as Record<string, unknown>;
    rp.keyId = 'alias/release-signing';
    return r;
  };
  // Calls that name the key by alias while CloudTrail resolved the ARN (this is how the alias is learnt).
  records[1] = ref(records[1]);
  const bot = iamUser('deploy-bot', 'AKIADEPLOYBOT0000001');
  if (o.leak) records.push(kmsSign({ time: at(0, 10 * 3600), who: bot, ip: '203.0.113.50', ua: 'Boto3/1.34.0 md/Botocore#1.34.0' }, KEY));
  if (o.burst) {
    const session = 'ASIABURST00000000001';
    records.push(assumeRoleWithWebIdentity({ time: at(-5, 15 * 3600 - 20), who: githubOidc('acme/ledger', 'refs/tags/v2.0'), ip: '140.82.112.20', ua: RUNNER_UA }, 'release-signer', 'GitHubActions', session, 'repo:acme/ledger:ref:refs/tags/v2.0'));
    for (const s of [0, 1]) records.push(kmsSign({ time: at(-5, 15 * 3600 + s), who: assumedRole('release-signer', 'GitHubActions', session, at(-5, 15 * 3600 - 20)), ip: '140.82.112.20', ua: RUNNER_UA }, KEY));
  }
  const alice = iamUser('alice', 'AKIAALICEEXAMPLE0001');
  if (o.disable) {
    records.push(kmsKeyOp({ time: at(0, 10 * 3600 + 1800), who: alice, ip: '198.51.100.20', ua: 'aws-cli/2.15.0' }, 'DisableKey', KEY));
    records.push(kmsSign({ time: at(0, 11 * 3600), who: bot, ip: '203.0.113.50', ua: 'Boto3/1.34.0' }, KEY));
    records.push(kmsSign({ time: at(0, 11 * 3600 + 300), who: bot, ip: '203.0.113.50', ua: 'Boto3/1.34.0' }, KEY, { code: 'DisabledException', message: `${KEY} is disabled.` }));
  }
  const dir = fixtureDir({ 'kms.ndjson': ndjson(records) });
  const s = await Store.open(':memory:');
  const { files } = await ingest(s, [dir]);
  expect(files[0]).toMatchObject({ adapter: 'aws-cloudtrail', rejected: 0 });
  const b = new CaseBuilder(s);
  const sigs: Record<string, string> = {};
  for (const { day, sec } of b0) {
    await b.ciRun({ level: 'run', run_id: String(9000 + day), repo: 'acme/ledger', workflow: '.github/workflows/release.yml', ref: `refs/tags/v1.${day + 40}`, trigger_event: 'push', runner_type: 'github-hosted', started_at: at(day, sec - 60), completed_at: at(day, sec + 240) });
    sigs[`d${day}`] = await b.signature({ integrated_time: at(day, sec + 2), signer_kind: 'key', key_fingerprint: FP, artifact_digest: `${String(-day).padStart(2, '0')}`.repeat(32) });
  }
  await b.ciRun({ level: 'run', run_id: '8999', repo: 'acme/ledger', workflow: '.github/workflows/release.yml', ref: 'refs/tags/v1.39', trigger_event: 'push', started_at: at(-1, 11 * 3600 - 60), completed_at: at(-1, 11 * 3600 + 240) });
  sigs.alias = await b.signature({ integrated_time: at(-1, 11 * 3600 + 2), signer_kind: 'key', key_fingerprint: FP, artifact_digest: 'a1'.repeat(32) });
  if (o.leak) sigs.leak = await b.signature({ integrated_time: at(0, 10 * 3600 + 3), signer_kind: 'key', key_fingerprint: FP, artifact_digest: 'ee'.repeat(32) });
  if (o.burst) {
    await b.ciRun({ level: 'run', run_id: '7000', repo: 'acme/ledger', workflow: '.github/workflows/release.yml', ref: 'refs/tags/v2.0', trigger_event: 'push', started_at: at(-5, 15 * 3600 - 60), completed_at: at(-5, 15 * 3600 + 240) });
    for (const s2 of [2, 3, 4]) sigs[`burst${s2}`] = await b.signature({ integrated_time: at(-5, 15 * 3600 + s2), signer_kind: 'key', key_fingerprint: FP, artifact_digest: `b${s2}`.repeat(32) });
  }
  if (o.disable) sigs.afterDisable = await b.signature({ integrated_time: at(0, 11 * 3600 + 2), signer_kind: 'key', key_fingerprint: FP, artifact_digest: 'dd'.repeat(32) });
  store = s;
  return { store: s, b, sigs };
}

describe('a KMS key used only by its release workflow (clean key)', () => {
  it('resolves alias, id and ARN to one key and attests every signature, with no findings and no window', async () => {
    const { store: s } = await build();
    const r = await investigateCase(s, CASE);
    // The call that named only the alias is logged against the alias ARN: both names are the key.
    expect(r.window.aliases.filter((a) => a.kind === 'key').map((a) => a.value)).toEqual([`arn:aws:kms:us-east-1:${ACCOUNT}:alias/release-signing`, KEY]);
    expect(r.findings).toEqual([]);
    expect(r.window).toMatchObject({ open: false, earliest_possible: null, first_evidence: null, contained_at: null });
    expect(r.signed).toHaveLength(41);
    expect(r.signed.every((x) => x.verdict === 'attested')).toBe(true);
    expect(r.signed[0].reasons.join(' ')).toMatch(/paired with kms:Sign .* by arn:aws:iam::111122223333:role\/release-signer .*2 s before.*session \(sts:AssumeRoleWithWebIdentity\) comes from acme\/ledger on refs\/tags\/v1\.0.*inside run 8960/);
    expect(r.distrust.digests).toEqual([]);
  });

  it('finds the same key by its id or its ARN', async () => {
    const { store: s } = await build();
    for (const k of ['kms:1234abcd-12ab-34cd-56ef-1234567890ab', `kms:${KEY}`, `kms:arn:aws:kms:us-east-1:${ACCOUNT}:alias/release-signing`]) {
      const r = await investigateCase(s, { ...CASE, keys: [k, `fp:${FP}`] });
      expect(r.signed.filter((x) => x.verdict === 'attested'), `${k}: ${JSON.stringify(r.signed.filter((x) => x.verdict !== 'attested'))}`).toHaveLength(41);
    }
  });
});

describe('a leaked IAM user key signing from outside any build', () => {
  it('is not attested: SIGNED_WITHOUT_BUILD names the long-lived credential; the new principal and address are findings too', async () => {
    const { store: s, sigs } = await build({ leak: true });
    const r = await investigateCase(s, CASE);
    const leak = r.signed.find((x) => x.entry_uuid === sigs.leak)!;
    expect(leak.verdict).toBe('anomalous');
    expect(leak.signer).toBe(`arn:aws:iam::${ACCOUNT}:user/deploy-bot`);
    expect(leak.reasons.join(' ')).toMatch(/principal arn:aws:iam::111122223333:user\/deploy-bot is not an expected principal/);
    expect(leak.reasons.join(' ')).toMatch(/credential AKIADEPLOYBOT0000001 is long-lived and is not traceable to a build/);
    expect(leak.rules).toEqual(['SIGNED_WITHOUT_BUILD', 'UNEXPECTED_SOURCE_IP', 'UNKNOWN_SIGNER']);
    const swb = rule(r, 'SIGNED_WITHOUT_BUILD');
    expect(swb).toHaveLength(1);
    expect(ids(swb[0])[0]).toBe(sigs.leak);
    expect(swb[0].evidence[1]).toMatchObject({ table: 'events', file: expect.stringMatching(/kms\.ndjson$/) as unknown, record_no: expect.any(Number) as unknown });
    expect(rule(r, 'UNKNOWN_SIGNER')[0].summary).toMatch(/new principal arn:aws:iam::111122223333:user\/deploy-bot signed with the key/);
    expect(rule(r, 'UNEXPECTED_SOURCE_IP')[0].summary).toMatch(/new client boto3, new source address 203\.0\.113\.50/);
    expect(r.window.first_evidence).toBe(at(0, 10 * 3600));
    expect(r.window.open).toBe(true);
    expect(r.distrust.digests).toEqual([`sha256:${'ee'.repeat(32)}`]);
  });

  it('the right principal through a long-lived credential is still not attested', async () => {
    const { store: s, sigs } = await build({ leak: true });
    const r = await investigateCase(s, { ...CASE, expected: { ...CASE.expected, principals: [ROLE, `arn:aws:iam::${ACCOUNT}:user/deploy-bot`] } });
    const leak = r.signed.find((x) => x.entry_uuid === sigs.leak)!;
    expect(leak.verdict).toBe('anomalous');
    expect(leak.rules).toContain('SIGNED_WITHOUT_BUILD');
    expect(leak.rules).not.toContain('UNKNOWN_SIGNER');
  });
});

describe('pairing signatures with sign calls one to one', () => {
  it('leaves the third entry of a burst of three with two calls unpaired', async () => {
    const { store: s, sigs } = await build({ burst: true });
    const r = await investigateCase(s, CASE);
    const burst = ['burst2', 'burst3', 'burst4'].map((k) => r.signed.find((x) => x.entry_uuid === sigs[k])!);
    expect(burst.filter((x) => x.verdict === 'attested'), JSON.stringify(burst.map((x) => x.reasons))).toHaveLength(2);
    const lone = burst.find((x) => x.verdict !== 'attested')!;
    expect(lone.reasons[0]).toMatch(/no successful key\.sign call on the key from 300 s before to 5 s after/);
    expect(rule(r, 'SIGNED_WITHOUT_BUILD').map((f) => ids(f)[0])).toEqual([lone.entry_uuid]);
  });

  it('pairs nothing when the sign call is outside the pairing window', async () => {
    const { store: s } = await build();
    const r = await investigateCase(s, CASE, { pairWindowSeconds: 1 });
    expect(r.signed.every((x) => x.verdict !== 'attested')).toBe(true);
  });
});

describe('after DisableKey', () => {
  it('a successful sign call, a later entry and a refused call are USE_AFTER_CONTAINMENT; the refused call is SIGN_DENIED too; the window stays open', async () => {
    const { store: s, sigs } = await build({ leak: true, disable: true });
    const r = await investigateCase(s, CASE);
    expect(r.window.contained_at).toBe(at(0, 10 * 3600 + 1800));
    expect(r.window.open).toBe(true);
    const uac = rule(r, 'USE_AFTER_CONTAINMENT');
    expect(uac.map((f) => f.summary)).toEqual([
      expect.stringMatching(/^successful kms:Sign on .* by arn:aws:iam::111122223333:user\/deploy-bot from 203\.0\.113\.50 .* after kms:DisableKey/),
      expect.stringMatching(/^signature sha256:d{64} .* after containment/),
      expect.stringMatching(/^failure kms:Sign on .* by arn:aws:iam::111122223333:user\/deploy-bot .* after kms:DisableKey/),
    ]);
    expect(ids(uac[1])[0]).toBe(sigs.afterDisable);
    const denied = rule(r, 'SIGN_DENIED');
    expect(denied).toHaveLength(1);
    expect(denied[0].summary).toMatch(/1 failure attempt on .* by arn:aws:iam::111122223333:user\/deploy-bot from 203\.0\.113\.50 \(kms:Sign: DisabledException\)/);
    expect(r.window.evidence.find((e) => e.bound === 'open')?.summary).toMatch(/^USE_AFTER_CONTAINMENT/);
  });

  it('without any use after it, the window is closed at the DisableKey', async () => {
    const { store: s } = await build({ leak: true });
    const disable = kmsKeyOp({ time: at(0, 12 * 3600), who: iamUser('alice', 'AKIAALICEEXAMPLE0001'), ip: '198.51.100.20', ua: 'aws-cli/2.15.0' }, 'DisableKey', KEY);
    await ingest(s, [fixtureDir({ 'disable.ndjson': ndjson([disable]) })]);
    const r = await investigateCase(s, CASE);
    expect(r.window).toMatchObject({ first_evidence: at(0, 10 * 3600), contained_at: at(0, 12 * 3600), open: false });
    expect(rule(r, 'USE_AFTER_CONTAINMENT')).toEqual([]);
  });
});

describe('inferred expectations', () => {
  it('infers the release role, workflow and tag namespace from 40 days of signing, and lists them as inferred', async () => {
    const { store: s } = await build({ leak: true });
    const r = await investigateCase(s, { keys: CASE.keys });
    const inferred = r.window.expected.filter((e) => e.inferred).map((e) => `${e.kind}=${e.value}`);
    expect(inferred).toEqual(expect.arrayContaining([
      `principals=${ROLE}`, 'workflows=acme/ledger/.github/workflows/release.yml', 'refs=refs/tags/*',
    ]));
    // deploy-bot signed on one day only: not inferred, so its signature is still anomalous.
    expect(inferred.join(' ')).not.toMatch(/deploy-bot/);
    expect(r.signed.filter((x) => x.verdict === 'anomalous')).toHaveLength(1);
    expect(r.signed.filter((x) => x.verdict === 'attested')).toHaveLength(41);
  });
});
