/** Keyless (Fulcio certificate) signatures attributed through the run their certificate names. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvestigationResult } from '../../src/analyses/types.js';
import { CaseBuilder } from '../fixtures/case-builder.js';
import { ids, investigateCase, rule } from './helpers.js';

const DAY0 = Date.parse('2025-04-01T00:00:00Z');
const at = (day: number, hhmm: string): string => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(DAY0 + day * 86_400_000 + (h * 60 + m) * 60_000).toISOString().replace('.000Z', 'Z');
};
const WF = 'https://github.com/acme/ledger/.github/workflows/release.yml';
const GH = 'https://token.actions.githubusercontent.com';
const CASE = {
  keys: [`identity:${WF}@*`],
  expected: {
    workflows: ['acme/ledger/.github/workflows/release.yml'], refs: ['refs/tags/v*'], issuers: [GH], identities: [`${WF}@refs/tags/v*`],
  },
};

let b: CaseBuilder;
beforeEach(async () => {
  b = await CaseBuilder.open();
});
afterEach(() => b.close());

interface Sig { day: number; time: string; run: string; ref: string; issuer?: string; runner?: string; digest: string }

async function signature(s: Sig): Promise<string> {
  return b.signature({
    integrated_time: at(s.day, s.time), signer_kind: 'cert', san: `${WF}@${s.ref}`, oidc_issuer: s.issuer ?? GH,
    build_config_uri: `${WF}@${s.ref}`, source_repository_ref: s.ref, repo: 'acme/ledger', runner_environment: s.runner ?? 'github-hosted',
    run_invocation_uri: `https://github.com/acme/ledger/actions/runs/${s.run}/attempts/1`, build_trigger: 'push', artifact_digest: s.digest,
  });
}

async function run(id: string, day: number, start: string, end: string, ref: string, trigger = 'push'): Promise<void> {
  await b.ciRun({ level: 'run', run_id: id, attempt: 1, repo: 'acme/ledger', workflow: '.github/workflows/release.yml', ref, trigger_event: trigger, runner_type: 'github-hosted', started_at: at(day, start), completed_at: at(day, end), conclusion: 'success' });
}

/** 35 days of tag releases, each signed inside its run. */
async function history(): Promise<void> {
  for (let d = -35; d < 0; d++) {
    await run(String(1000 + d), d, '10:00', '10:10', `refs/tags/v1.${d + 35}`);
    await signature({ day: d, time: '10:05', run: String(1000 + d), ref: `refs/tags/v1.${d + 35}`, digest: `${d + 35}`.padStart(64, '0') });
  }
}

/** A normal release later on day 0, so that the CI records cover the time of what is tested. */
async function laterRelease(): Promise<void> {
  await run('3000', 0, '18:00', '18:10', 'refs/tags/v3.0');
  await signature({ day: 0, time: '18:05', run: '3000', ref: 'refs/tags/v3.0', digest: '99'.repeat(32) });
}

function verdict(r: InvestigationResult, uuid: string): { verdict: string; reasons: string[]; rules: string[] } {
  const s = r.signed.find((x) => x.entry_uuid === uuid);
  if (!s) throw new Error(`no signed row for ${uuid}`);
  return s;
}

describe('a keyless identity that only signs inside its release runs', () => {
  it('attests every signature and finds nothing', async () => {
    await history();
    const r = await investigateCase(b.store, CASE);
    expect(r.signed).toHaveLength(35);
    expect(r.signed.every((s) => s.verdict === 'attested' && s.mode === 'keyless')).toBe(true);
    expect(r.signed[0].reasons).toEqual([
      `run 965 of acme/ledger/.github/workflows/release.yml on refs/tags/v1.0 ran ${at(-35, '10:00')} to ${at(-35, '10:10')}`,
      'signed inside that run',
    ]);
    expect(r.findings).toEqual([]);
    expect(r.window.open).toBe(false);
  });
});

describe('keyless signatures that no sanctioned run explains', () => {
  it('a pull-request ref: SIGNED_WITHOUT_BUILD, UNEXPECTED_REF and UNKNOWN_SIGNER (identity)', async () => {
    await history();
    await run('2001', 0, '09:00', '09:10', 'refs/pull/7/merge', 'pull_request_target');
    const pr = await signature({ day: 0, time: '09:05', run: '2001', ref: 'refs/pull/7/merge', digest: 'ab'.repeat(32) });
    const r = await investigateCase(b.store, CASE);
    const v = verdict(r, pr);
    expect(v.verdict).toBe('anomalous');
    expect(v.rules).toEqual(['SIGNED_WITHOUT_BUILD', 'UNEXPECTED_REF', 'UNKNOWN_SIGNER']);
    expect(v.reasons).toContain('ref refs/pull/7/merge is not an expected ref');
    expect(rule(r, 'UNEXPECTED_REF')[0].summary).toMatch(/signature on ref refs\/pull\/7\/merge \(run 2001\)/);
    expect(rule(r, 'UNKNOWN_SIGNER')[0].summary).toMatch(/new signing identity .*@refs\/pull\/7\/merge/);
    expect(r.window.first_evidence).toBe(at(0, '09:05'));
  });

  it('a run that is not in the CI records: SIGNED_WITHOUT_BUILD (unattested, no other finding)', async () => {
    await history();
    await laterRelease();
    const ghost = await signature({ day: 0, time: '11:00', run: '999999', ref: 'refs/tags/v9.9', digest: 'cd'.repeat(32) });
    const r = await investigateCase(b.store, CASE);
    const v = verdict(r, ghost);
    expect(v).toMatchObject({ verdict: 'unattested', rules: ['SIGNED_WITHOUT_BUILD'] });
    expect(v.reasons[0]).toBe('run 999999 named by the certificate is not in the CI records');
    expect(rule(r, 'SIGNED_WITHOUT_BUILD').map((f) => ids(f)[0])).toEqual([ghost]);
  });

  it('signed after its run ended: SIGNED_WITHOUT_BUILD', async () => {
    await history();
    await laterRelease();
    await run('2002', 0, '10:00', '10:10', 'refs/tags/v2.0');
    const late = await signature({ day: 0, time: '13:00', run: '2002', ref: 'refs/tags/v2.0', digest: 'ef'.repeat(32) });
    const r = await investigateCase(b.store, CASE);
    expect(verdict(r, late).reasons).toContain(`signed at ${at(0, '13:00')}, outside that run`);
    expect(verdict(r, late).rules).toEqual(['SIGNED_WITHOUT_BUILD']);
  });

  it('an unexpected OIDC issuer: not attested, UNKNOWN_SIGNER (issuer)', async () => {
    await history();
    await run('2003', 0, '10:00', '10:10', 'refs/tags/v2.1');
    const odd = await signature({ day: 0, time: '10:05', run: '2003', ref: 'refs/tags/v2.1', issuer: 'https://oidc.evil.example', digest: '12'.repeat(32) });
    const r = await investigateCase(b.store, CASE);
    const v = verdict(r, odd);
    expect(v.reasons).toContain('issuer https://oidc.evil.example is not an expected issuer');
    expect(v.rules).toEqual(['SIGNED_WITHOUT_BUILD', 'UNKNOWN_SIGNER']);
    expect(rule(r, 'UNKNOWN_SIGNER')[0].summary).toMatch(/new OIDC issuer https:\/\/oidc\.evil\.example/);
  });

  it('a release on a self-hosted runner: attested by its run, but anomalous (UNKNOWN_SIGNER: new runner type)', async () => {
    await history();
    await run('2004', 0, '10:00', '10:10', 'refs/tags/v2.2');
    const sh = await signature({ day: 0, time: '10:05', run: '2004', ref: 'refs/tags/v2.2', runner: 'self-hosted', digest: '34'.repeat(32) });
    const r = await investigateCase(b.store, CASE);
    const v = verdict(r, sh);
    expect(v.verdict).toBe('anomalous');
    expect(v.rules).toEqual(['UNKNOWN_SIGNER']);
    expect(v.reasons[1]).toBe('signed inside that run');
    expect(rule(r, 'UNKNOWN_SIGNER')[0].summary).toMatch(/new runner type self-hosted/);
  });

  it('before any CI record exists: unattested, and no finding (the logs cannot tell)', async () => {
    await history();
    const early = await signature({ day: -60, time: '10:05', run: '5', ref: 'refs/tags/v0.1', digest: '56'.repeat(32) });
    const r = await investigateCase(b.store, CASE);
    const v = verdict(r, early);
    expect(v.verdict).toBe('unattested');
    expect(v.reasons).toContain(`no CI records cover ${at(-60, '10:05')}: cannot tell which build signed`);
    expect(r.findings).toEqual([]);
  });
});

describe('without expectations', () => {
  it('infers workflow, tag namespace, identity and issuer from history and attests with them', async () => {
    await history();
    const r = await investigateCase(b.store, { keys: CASE.keys });
    expect(r.window.expected.map((e) => [e.kind, e.value, e.inferred])).toEqual([
      ['identities', `${WF}@refs/tags/*`, true],
      ['issuers', GH, true],
      ['refs', 'refs/tags/*', true],
      ['workflows', 'acme/ledger/.github/workflows/release.yml', true],
    ]);
    expect(r.signed.every((s) => s.verdict === 'attested')).toBe(true);
  });

  it('a case window.from restricts inference to the history before it', async () => {
    await history();
    const r = await investigateCase(b.store, { keys: CASE.keys, window: { from: at(-34, '00:00') } });
    expect(r.window.expected).toEqual([]);
    expect(r.signed.every((s) => s.verdict === 'unattested')).toBe(true);
    expect(r.signed[0].reasons).toContain('no expected workflows are known: give --expect-workflow or a case file');
  });
});
