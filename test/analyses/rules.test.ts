/**
 * Each finding rule with a case that fires it and a look-alike that must not. Canonical rows
 * (CaseBuilder) stand in for the adapters; the KMS, keyless and end-to-end tests cover the rules
 * again over ingested CloudTrail and a whole incident.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseBuilder } from '../fixtures/case-builder.js';
import { ids, investigateCase, rule } from './helpers.js';

const DAY0 = Date.parse('2025-05-01T00:00:00Z');
const at = (day: number, hhmm: string): string => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(DAY0 + day * 86_400_000 + (h * 60 + m) * 60_000).toISOString().replace('.000Z', 'Z');
};
const FP = 'f0'.repeat(32);
const SYNC = 'arn:aws:iam::111122223333:role/secret-sync';
const CASE = {
  keys: [`fp:${FP}`, 'secret:COSIGN_KEY', 'secret:release/cosign-key'],
  expected: { workflows: ['acme/app/.github/workflows/release.yml'], refs: ['refs/tags/v*'], principals: [SYNC] },
};

let b: CaseBuilder;
beforeEach(async () => {
  b = await CaseBuilder.open();
});
afterEach(() => b.close());

/** A release job passed COSIGN_KEY (Actions job record), and its signature five minutes in. */
async function release(day: number, repo = 'acme/app', workflow = '.github/workflows/release.yml', ref = `refs/tags/v1.${day + 100}`, runner = 'github-hosted'): Promise<{ job: string; sig: string }> {
  const run = `${repo}-${day}-${workflow}`.replace(/[^a-z0-9]/gi, '');
  const job = await b.ciRun({ level: 'job', job_name: 'release', run_id: run, repo, workflow, ref, trigger_event: 'push', runner_type: runner, actor: 'release-bot', started_at: at(day, '10:00'), completed_at: at(day, '10:10'), secrets_passed: ['COSIGN_KEY'] });
  const sig = await b.signature({ integrated_time: at(day, '10:05'), signer_kind: 'key', key_fingerprint: FP, artifact_digest: `${run}`.padEnd(64, '0').slice(0, 64).replace(/[^0-9a-f]/g, 'a') });
  return { job, sig };
}

/** The secret-sync role reading the key's secret daily from its usual address. */
async function syncReads(from: number, to: number): Promise<void> {
  for (let d = from; d <= to; d++) {
    await b.event({ source: 'aws.cloudtrail', ts: at(d, '02:00'), action: 'secret.read', native_action: 'secretsmanager:GetSecretValue', principal: SYNC, actor: `${SYNC}/sync`, credential_id: `ASIASYNC${d + 100}`, source_ip: '34.201.10.20', user_agent: 'aws-sdk-go-v2/1.24.0', target: 'release/cosign-key' });
  }
}

describe('CI secret keys: attribution', () => {
  it('attests a signature made inside a release job that was passed the secret', async () => {
    const { sig } = await release(-1);
    const r = await investigateCase(b.store, CASE);
    const s = r.signed.find((x) => x.entry_uuid === sig)!;
    expect(s).toMatchObject({ verdict: 'attested', mode: 'ci_key', signer: 'acme/app/.github/workflows/release.yml' });
    expect(s.reasons[0]).toMatch(/^job release of acme\/app\/\.github\/workflows\/release\.yml on refs\/tags\/v1\.99 \(run .*\) was passed COSIGN_KEY/);
  });

  it('bounds a job known only by its start event with its run\'s completion record', async () => {
    await b.event({ source: 'github.audit', ts: at(0, '10:00'), action: 'ci.job', native_action: 'workflows.prepared_workflow_job', repo: 'acme/app', workflow: '.github/workflows/release.yml', ref: 'refs/tags/v2.0', run_id: '77', secrets: ['COSIGN_KEY'] });
    await b.event({ source: 'github.audit', ts: at(0, '10:12'), action: 'ci.run', native_action: 'workflows.completed_workflow_run', repo: 'acme/app', workflow: '.github/workflows/release.yml', run_id: '77' });
    const inside = await b.signature({ integrated_time: at(0, '10:08'), signer_kind: 'key', key_fingerprint: FP, artifact_digest: '1'.repeat(64) });
    const after = await b.signature({ integrated_time: at(0, '10:40'), signer_kind: 'key', key_fingerprint: FP, artifact_digest: '2'.repeat(64) });
    await b.event({ source: 'github.audit', ts: at(0, '12:00'), action: 'other', native_action: 'git.clone', repo: 'acme/app' });
    const r = await investigateCase(b.store, CASE);
    expect(r.signed.find((x) => x.entry_uuid === inside)!.verdict).toBe('attested');
    const late = r.signed.find((x) => x.entry_uuid === after)!;
    expect(late).toMatchObject({ verdict: 'unattested', rules: ['SIGNED_WITHOUT_BUILD'] });
    expect(late.reasons[0]).toBe(`no CI job that was passed COSIGN_KEY was running at ${at(0, '10:40')}`);
  });
});

describe('SECRET_TO_UNEXPECTED_JOB', () => {
  it('fires when a job outside the signing workflows is passed the secret, once per run', async () => {
    await release(-1);
    await b.event({ source: 'github.audit', ts: at(0, '09:00'), action: 'ci.job', native_action: 'workflows.prepared_workflow_job', actor: 'mallory', repo: 'acme/app', workflow: '.github/workflows/lint.yml', ref: 'refs/heads/x', run_id: '4242', secrets: ['NPM_TOKEN', 'COSIGN_KEY'] });
    const r = await investigateCase(b.store, CASE);
    const f = rule(r, 'SECRET_TO_UNEXPECTED_JOB');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ts: at(0, '09:00'), actor: 'mallory', severity: 'high' });
    expect(f[0].summary).toBe('COSIGN_KEY passed to acme/app/.github/workflows/lint.yml (run 4242, ref refs/heads/x), which is not an expected signing workflow');
    expect(f[0].mitre).toEqual(['T1552.004', 'T1195.002']);
  });

  it('does not fire for the expected workflow, nor without any known workflow', async () => {
    await release(-1);
    expect(rule(await investigateCase(b.store, CASE), 'SECRET_TO_UNEXPECTED_JOB')).toEqual([]);
    await b.event({ source: 'github.audit', ts: at(0, '09:00'), action: 'ci.job', repo: 'acme/app', workflow: '.github/workflows/lint.yml', run_id: '4242', secrets: ['COSIGN_KEY'] });
    // One release is not enough history to infer a workflow: nothing to compare with.
    expect(rule(await investigateCase(b.store, { keys: CASE.keys }), 'SECRET_TO_UNEXPECTED_JOB')).toEqual([]);
  });
});

describe('KEY_SHARED_ACROSS_REPOS', () => {
  it('fires when jobs of two repositories are passed the key, citing each repository\'s first use', async () => {
    const a = await release(-3);
    const c = await release(-2, 'acme/tools');
    const r = await investigateCase(b.store, { ...CASE, expected: { ...CASE.expected, workflows: ['acme/*/.github/workflows/release.yml'] } });
    const f = rule(r, 'KEY_SHARED_ACROSS_REPOS');
    expect(f).toHaveLength(1);
    expect(f[0].summary).toBe('the key is used by 2 repositories: acme/app, acme/tools');
    expect(ids(f[0])).toEqual([a.job, c.job]);
    expect(f[0].owasp_nhi).toEqual(['NHI9:2025']);
    // Governance: it neither opens a window nor taints a verdict.
    expect(r.window.first_evidence).toBeNull();
    expect(r.signed.every((s) => s.verdict === 'attested')).toBe(true);
  });

  it('does not fire for one repository', async () => {
    await release(-3);
    await release(-2);
    expect(rule(await investigateCase(b.store, CASE), 'KEY_SHARED_ACROSS_REPOS')).toEqual([]);
  });
});

describe('LONG_LIVED_KEY', () => {
  async function created(day: number): Promise<string> {
    return b.event({ source: 'aws.cloudtrail', ts: at(day, '09:00'), action: 'secret.write', native_action: 'secretsmanager:CreateSecret', principal: 'arn:aws:iam::111122223333:user/alice', target: 'release/cosign-key' });
  }

  it('fires when the material created 400 days ago is still used, dated at the limit', async () => {
    const c = await created(-400);
    await release(-1);
    const f = rule(await investigateCase(b.store, CASE), 'LONG_LIVED_KEY');
    expect(f).toHaveLength(1);
    expect(f[0].ts).toBe(at(-35, '09:00'));
    expect(f[0].summary).toMatch(/^the key material created by secretsmanager:CreateSecret on release\/cosign-key .* was still in use at .*: 399 days without rotation, over the 365-day limit$/);
    expect(ids(f[0])).toEqual([c]);
  });

  it('does not fire when the material was rotated within the limit, and honours --max-key-age', async () => {
    await created(-400);
    await b.event({ source: 'github.audit', ts: at(-100, '09:00'), action: 'ci.secret_change', native_action: 'repo.update_actions_secret', target: 'COSIGN_KEY', repo: 'acme/app' });
    await release(-1);
    expect(rule(await investigateCase(b.store, CASE), 'LONG_LIVED_KEY')).toEqual([]);
    const short = rule(await investigateCase(b.store, CASE, { maxKeyAgeDays: 90 }), 'LONG_LIVED_KEY');
    expect(short.map((f) => f.summary)).toEqual([expect.stringMatching(/created by repo\.update_actions_secret on COSIGN_KEY .*: 99 days without rotation, over the 90-day limit$/)]);
  });

  it('reports a key with no recorded creation across more than the limit of use', async () => {
    await release(-500);
    await release(-1);
    const f = rule(await investigateCase(b.store, CASE), 'LONG_LIVED_KEY');
    expect(f[0].summary).toMatch(/^key material with no recorded creation or rotation/);
  });
});

describe('UNKNOWN_SIGNER and UNEXPECTED_SOURCE_IP (trailing baseline)', () => {
  it('fire for a principal and an address not seen in the 30 days before, once per use', async () => {
    await syncReads(-40, -1);
    const leak = await b.event({ source: 'aws.cloudtrail', ts: at(0, '03:00'), action: 'secret.read', native_action: 'secretsmanager:GetSecretValue', principal: 'arn:aws:iam::111122223333:user/bot', actor: 'arn:aws:iam::111122223333:user/bot', credential_id: 'AKIABOT', source_ip: '203.0.113.9', user_agent: 'curl/8.5.0', target: 'release/cosign-key' });
    const r = await investigateCase(b.store, CASE);
    expect(rule(r, 'UNKNOWN_SIGNER').map(ids)).toEqual([[leak]]);
    const ip = rule(r, 'UNEXPECTED_SOURCE_IP');
    expect(ip.map(ids)).toEqual([[leak]]);
    expect(ip[0].summary).toMatch(/new client curl, new source address 203\.0\.113\.9/);
    expect(new Set(r.findings.map((f) => f.fingerprint)).size).toBe(r.findings.length);
  });

  it('stay silent for the usual principal and address, for service names as addresses, and while no full baseline exists', async () => {
    await syncReads(-40, 0);
    await b.event({ source: 'aws.cloudtrail', ts: at(0, '04:00'), action: 'secret.read', principal: SYNC, source_ip: 'secretsmanager.amazonaws.com', user_agent: 'aws-sdk-go-v2/1.25.1', target: 'release/cosign-key' });
    expect(rule(await investigateCase(b.store, CASE), 'UNEXPECTED_SOURCE_IP')).toEqual([]);
    const cold = await CaseBuilder.open();
    try {
      for (let d = -10; d <= 0; d++) {
        await cold.event({ source: 'aws.cloudtrail', ts: at(d, '02:00'), action: 'secret.read', principal: `arn:aws:iam::111122223333:role/r${d}`, source_ip: `10.0.0.${d + 20}`, target: 'release/cosign-key' });
      }
      // Ten days of history and no expected principals: nothing is "new" yet.
      const r = await investigateCase(cold.store, { keys: CASE.keys });
      expect(r.findings).toEqual([]);
    } finally {
      cold.close();
    }
  });

  it('a principal seen again after more than the baseline is new again', async () => {
    await syncReads(-40, 0);
    const first = await b.event({ source: 'aws.cloudtrail', ts: at(-35, '05:00'), action: 'secret.read', principal: 'arn:aws:iam::111122223333:role/dr', source_ip: '34.201.10.20', target: 'release/cosign-key' });
    const again = await b.event({ source: 'aws.cloudtrail', ts: at(0, '05:00'), action: 'secret.read', principal: 'arn:aws:iam::111122223333:role/dr', source_ip: '34.201.10.20', target: 'release/cosign-key' });
    expect(rule(await investigateCase(b.store, CASE), 'UNKNOWN_SIGNER').map(ids)).toEqual([[first], [again]]);
    expect(rule(await investigateCase(b.store, CASE, { baselineDays: 40 }), 'UNKNOWN_SIGNER').map(ids)).toEqual([[first]]);
  });
});

describe('SIGN_DENIED', () => {
  it('groups denied reads of the key\'s secret per caller and day', async () => {
    for (const m of ['03:00', '03:01', '03:02']) {
      await b.event({ source: 'vault.audit', ts: at(0, m), action: 'secret.read', outcome: 'denied', error_code: 'permission denied', principal: 'approle/ci', credential_id: 'hmac-sha256:aa', source_ip: '203.0.113.9', target: 'release/cosign-key', native_action: 'read secret/data/release/cosign-key' });
    }
    const f = rule(await investigateCase(b.store, CASE), 'SIGN_DENIED');
    expect(f).toHaveLength(1);
    expect(f[0].summary).toBe('3 denied attempts on release/cosign-key by approle/ci from 203.0.113.9 (read secret/data/release/cosign-key: permission denied)');
    expect(f[0].evidence).toHaveLength(3);
  });

  it('does not fire for successful uses or for denials on other secrets', async () => {
    await syncReads(-2, 0);
    await b.event({ source: 'vault.audit', ts: at(0, '03:00'), action: 'secret.read', outcome: 'denied', principal: 'approle/ci', target: 'other/secret' });
    expect(rule(await investigateCase(b.store, CASE), 'SIGN_DENIED')).toEqual([]);
  });
});

describe('LATERAL_SECRET_READ and NEW_CREDENTIAL', () => {
  it('follow the suspicious actor (and the credential it created) to other secrets', async () => {
    await syncReads(-40, -1);
    const bot = { source: 'aws.cloudtrail', principal: 'arn:aws:iam::111122223333:user/bot', actor: 'arn:aws:iam::111122223333:user/bot', credential_id: 'AKIABOT', source_ip: '203.0.113.9' };
    await b.event({ ...bot, ts: at(0, '03:00'), action: 'secret.read', target: 'release/cosign-key' });
    const other = await b.event({ ...bot, ts: at(0, '03:01'), action: 'secret.read', target: 'prod/db' });
    const mk = await b.event({ ...bot, ts: at(0, '03:02'), action: 'credential.create', native_action: 'iam:CreateAccessKey', target: 'svc', issued_credential_id: 'AKIANEW' });
    const hop = await b.event({ source: 'aws.cloudtrail', ts: at(0, '04:00'), action: 'secret.read', principal: 'arn:aws:iam::111122223333:user/svc', credential_id: 'AKIANEW', source_ip: '198.51.100.1', target: 'prod/payments' });
    // Someone unrelated reading another secret is not lateral movement.
    await b.event({ source: 'aws.cloudtrail', ts: at(0, '03:30'), action: 'secret.read', principal: 'arn:aws:iam::111122223333:role/app', credential_id: 'ASIAAPP', source_ip: '10.1.1.1', target: 'prod/db' });
    const r = await investigateCase(b.store, CASE);
    expect(rule(r, 'LATERAL_SECRET_READ').map(ids)).toEqual([[other], [hop]]);
    expect(rule(r, 'NEW_CREDENTIAL').map(ids)).toEqual([[mk]]);
    expect(rule(r, 'NEW_CREDENTIAL')[0].summary).toMatch(/created credential AKIANEW for svc with iam:CreateAccessKey/);
    expect(r.lateral.map((l) => [l.pivot_kind, l.pivot, l.target])).toEqual([
      ['address', '203.0.113.9', 'prod/db'], ['credential', 'AKIABOT', 'prod/db'], ['principal', 'arn:aws:iam::111122223333:user/bot', 'prod/db'],
      ['address', '203.0.113.9', 'svc'], ['credential', 'AKIABOT', 'svc'], ['principal', 'arn:aws:iam::111122223333:user/bot', 'svc'],
      ['credential', 'AKIANEW', 'prod/payments'],
    ]);
  });

  it('do not fire when nothing on the key is suspicious', async () => {
    await syncReads(-40, 0);
    await b.event({ source: 'aws.cloudtrail', ts: at(0, '03:01'), action: 'secret.read', principal: SYNC, credential_id: 'ASIASYNC100', source_ip: '34.201.10.20', target: 'prod/db' });
    const r = await investigateCase(b.store, CASE);
    expect(r.findings).toEqual([]);
    expect(r.lateral).toEqual([]);
  });
});

describe('LOGGING_GAP', () => {
  /** An hourly source from day -40, silent on day 0 from `from` to `to` hours. */
  async function hourly(source: string, silent: [number, number] | null): Promise<void> {
    for (let h = -40 * 24; h < 24; h++) {
      if (silent && h >= silent[0] && h < silent[1]) continue;
      await b.event({ source, ts: new Date(DAY0 + h * 3_600_000).toISOString(), action: 'auth.login', principal: 'approle/monitor' });
    }
  }

  it('fires when a source that reports hourly is silent for 8 hours inside the window', async () => {
    await syncReads(-40, -1);
    await hourly('vault.audit', [2, 10]);
    await b.event({ source: 'aws.cloudtrail', ts: at(0, '03:00'), action: 'secret.read', principal: 'arn:aws:iam::111122223333:user/bot', source_ip: '203.0.113.9', target: 'release/cosign-key' });
    const f = rule(await investigateCase(b.store, CASE), 'LOGGING_GAP');
    expect(f).toHaveLength(1);
    expect(f[0].summary).toBe(`vault.audit reported nothing from ${at(0, '01:00')} to ${at(0, '10:00')} (about 9 h; in the 30 days before, 95% of its silences were under 1 h)`);
    expect(f[0].evidence).toHaveLength(2);
  });

  it('does not fire outside a window, for a shorter silence, or for a source that is quiet every night', async () => {
    await hourly('vault.audit', [2, 10]);
    expect(rule(await investigateCase(b.store, CASE), 'LOGGING_GAP')).toEqual([]);
    await syncReads(-40, -1);
    await b.event({ source: 'aws.cloudtrail', ts: at(0, '03:00'), action: 'secret.read', principal: 'arn:aws:iam::111122223333:user/bot', source_ip: '203.0.113.9', target: 'release/cosign-key' });
    expect(rule(await investigateCase(b.store, CASE, { gapHours: 12 }), 'LOGGING_GAP')).toEqual([]);
    // aws.cloudtrail here reports once a day: a 23-hour silence is its normal rhythm.
    expect(rule(await investigateCase(b.store, CASE, { gapHours: 12 }), 'LOGGING_GAP').filter((x) => x.actor === 'aws.cloudtrail')).toEqual([]);
  });
});
