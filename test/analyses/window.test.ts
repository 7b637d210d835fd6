/** The exposure window: each bound, the evidence behind it, analyst overrides, and the clean key. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Investigation } from '../../src/analyses/investigate.js';
import { parseCaseDocument } from '../../src/case/spec.js';
import { CaseBuilder } from '../fixtures/case-builder.js';
import { investigateCase } from './helpers.js';

const DAY0 = Date.parse('2025-02-01T00:00:00Z');
const at = (day: number, hhmm: string): string => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(DAY0 + day * 86_400_000 + (h * 60 + m) * 60_000).toISOString().replace('.000Z', 'Z');
};
const KEY = 'vault:release';
const CASE = { keys: ['vault:release'], expected: { workflows: ['acme/app/.github/workflows/release.yml'], principals: ['jwt/release'] } };

let b: CaseBuilder;
beforeEach(async () => {
  b = await CaseBuilder.open();
});
afterEach(() => b.close());

/** Vault transit: a JWT login from the release workflow, then a sign on vault:release. */
async function sign(day: number, hhmm: string, who = 'jwt/release', ip = '10.0.0.5', outcome: 'success' | 'denied' = 'success'): Promise<string> {
  return b.event({ source: 'vault.audit', ts: at(day, hhmm), action: 'key.sign', native_action: 'update transit/sign/release', outcome, principal: who, actor: who, credential_id: `hmac-sha256:${who}`, source_ip: ip, target: KEY, repo: 'acme/app', workflow: '.github/workflows/release.yml', ref: 'refs/tags/v1' });
}

async function keyOp(day: number, action: string, native: string): Promise<string> {
  return b.event({ source: 'vault.audit', ts: at(day, '12:00'), action, native_action: native, principal: 'userpass/admin', target: KEY });
}

describe('a clean key (no incident)', () => {
  it('has no findings, no window (open false, no bounds but last use), and nothing to distrust', async () => {
    await keyOp(-50, 'key.create', 'update transit/keys/release');
    for (let d = -45; d < 0; d++) await sign(d, '10:00');
    const r = await investigateCase(b.store, CASE);
    expect(r.findings).toEqual([]);
    expect(r.window).toMatchObject({ earliest_possible: null, first_evidence: null, contained_at: null, last_use: at(-1, '10:00'), open: false });
    expect(r.window.evidence.map((e) => e.bound)).toEqual(['last_use']);
    expect(r.distrust).toEqual({ digests: [], entries: [] });
    expect(r.lateral).toEqual([]);
    expect(r.access.find((a) => a.kind === 'principal' && a.who === 'jwt/release')).toMatchObject({ expected: true, count: 45, failed: 0, first_seen: at(-45, '10:00') });
  });
});

describe('window bounds', () => {
  it('earliest_possible is the last creation or rotation before the first evidence; contained_at the first revocation after it', async () => {
    await keyOp(-60, 'key.create', 'update transit/keys/release');
    for (let d = -45; d < 0; d++) await sign(d, '10:00');
    const rotate = await keyOp(-20, 'key.rotate', 'update transit/keys/release/rotate');
    const first = await sign(0, '03:00', 'token/stolen', '203.0.113.7');
    await sign(0, '03:05', 'token/stolen', '203.0.113.7');
    const disable = await keyOp(0, 'key.disable', 'update transit/keys/release/config');
    await keyOp(1, 'key.rotate', 'update transit/keys/release/rotate');
    const r = await investigateCase(b.store, CASE);
    expect(r.window).toMatchObject({
      earliest_possible: at(-20, '12:00'), first_evidence: at(0, '03:00'), contained_at: at(0, '12:00'), last_use: at(0, '03:05'), open: false,
    });
    const ev = Object.fromEntries(r.window.evidence.map((e) => [e.bound, e]));
    expect(ev.earliest_possible).toMatchObject({ ref: `events:${rotate}`, source: 'vault.audit', file: 'fixture://vault.audit.ndjson', record_no: expect.any(Number) as unknown });
    expect(ev.earliest_possible.summary).toBe('last creation or rotation of the key material before the first finding: update transit/keys/release/rotate on vault:release');
    expect(ev.first_evidence.ref).toBe(`events:${first}`);
    expect(ev.first_evidence.summary).toMatch(/^UNKNOWN_SIGNER: new principal token\/stolen signed with the key/);
    expect(ev.contained_at).toMatchObject({ ref: `events:${disable}`, summary: 'update transit/keys/release/config on vault:release by userpass/admin' });
    expect(ev.open).toBeUndefined();
  });

  it('falls back to the earliest record of the key when no creation or rotation is logged', async () => {
    const firstUse = await sign(-45, '10:00');
    for (let d = -44; d < 0; d++) await sign(d, '10:00');
    await sign(0, '03:00', 'token/stolen', '203.0.113.7');
    const r = await investigateCase(b.store, CASE);
    expect(r.window.earliest_possible).toBe(at(-45, '10:00'));
    expect(r.window.evidence[0]).toMatchObject({ bound: 'earliest_possible', ref: `events:${firstUse}` });
    expect(r.window.evidence[0].summary).toMatch(/no creation or rotation .* earliest record of the key/);
    expect(r.window.open).toBe(true);
    expect(r.window.contained_at).toBeNull();
  });

  it('takes the analyst\'s window.from and window.to over the evidence, citing the case', async () => {
    for (let d = -45; d < 0; d++) await sign(d, '10:00');
    await sign(0, '03:00', 'token/stolen', '203.0.113.7');
    const r = await investigateCase(b.store, { ...CASE, window: { from: at(-3, '00:00'), to: at(0, '06:00') } });
    expect(r.window).toMatchObject({ earliest_possible: at(-3, '00:00'), contained_at: at(0, '06:00'), first_evidence: at(0, '03:00'), open: false });
    expect(r.window.evidence.filter((e) => e.source === 'case').map((e) => [e.bound, e.ref])).toEqual([
      ['earliest_possible', 'case:window.from'], ['contained_at', 'case:window.to'],
    ]);
  });

  it('opens a window from window.from alone even with no finding (a key known to have leaked)', async () => {
    for (let d = -45; d < 0; d++) await sign(d, '10:00');
    const r = await investigateCase(b.store, { ...CASE, window: { from: at(-2, '00:00') } });
    expect(r.findings).toEqual([]);
    expect(r.window).toMatchObject({ earliest_possible: at(-2, '00:00'), first_evidence: null, contained_at: null, open: true });
  });
});

describe('exposure and first use (a key kept in a CI secret)', () => {
  const FP = 'c3'.repeat(32);
  const CI_CASE = { keys: [`fp:${FP}`, 'secret:COSIGN_KEY'], expected: { workflows: ['acme/app/.github/workflows/release.yml'], refs: ['refs/tags/v*'] } };
  const job = (day: number, hhmm: string, workflow: string, ref: string): Promise<string> =>
    b.ciRun({ level: 'job', job_name: 'build', run_id: `${day}${hhmm}`.replace(/\D/g, ''), repo: 'acme/app', workflow, ref, trigger_event: 'push', runner_type: 'github-hosted', actor: 'dev', started_at: at(day, hhmm), completed_at: at(day, hhmm).replace(/:(\d\d)Z$/, ':$1Z').replace(/T(\d\d):/, (_m, h: string) => `T${String(Number(h) + 1).padStart(2, '0')}:`), secrets_passed: ['COSIGN_KEY'] });
  /** Daily releases (attested), the history the novelty rules compare with. */
  async function history(): Promise<void> {
    for (let d = -40; d < 0; d++) {
      await job(d, '10:00', '.github/workflows/release.yml', `refs/tags/v1.${d + 100}`);
      await b.signature({ integrated_time: at(d, '10:05'), signer_kind: 'key', key_fingerprint: FP, artifact_digest: String(d + 100).padStart(64, '0') });
    }
  }

  it('dates first_evidence at the first rogue signature, and cites the earlier hand-over to a rogue job as first_exposure', async () => {
    await history();
    const rogue = await job(0, '09:00', '.github/workflows/debug.yml', 'refs/heads/debug');
    const forged = await b.signature({ integrated_time: at(0, '13:00'), signer_kind: 'key', key_fingerprint: FP, artifact_digest: 'e'.repeat(64) });
    const r = await investigateCase(b.store, CI_CASE);
    expect(r.findings.map((f) => f.rule)).toContain('SECRET_TO_UNEXPECTED_JOB');
    expect(r.window.first_evidence).toBe(at(0, '13:00'));
    const ev = Object.fromEntries(r.window.evidence.map((e) => [e.bound, e]));
    expect(ev.first_evidence.ref).toBe(`signatures:${forged}`);
    expect(ev.first_exposure).toMatchObject({ ts: at(0, '09:00'), ref: `ci_runs:${rogue}` });
    expect(ev.first_exposure.summary).toMatch(/^SECRET_TO_UNEXPECTED_JOB: COSIGN_KEY passed to acme\/app\/\.github\/workflows\/debug\.yml/);
    // No rotation is logged: the window reaches back to the earliest record of the key.
    expect(r.window.earliest_possible).toBe(at(-40, '10:05'));
    expect(r.window.evidence.map((e) => e.bound).slice(0, 3)).toEqual(['earliest_possible', 'first_exposure', 'first_evidence']);
  });

  it('with only a hand-over and no use, the exposure is the first evidence, and a rotation after it contains the window', async () => {
    await history();
    const rogue = await job(0, '09:00', '.github/workflows/debug.yml', 'refs/heads/debug');
    const rotate = await b.event({ source: 'github.audit', ts: at(0, '11:00'), action: 'ci.secret_change', native_action: 'repo.update_actions_secret', actor: 'admin', target: 'COSIGN_KEY', repo: 'acme/app' });
    const r = await investigateCase(b.store, CI_CASE);
    expect(r.window).toMatchObject({ first_evidence: at(0, '09:00'), contained_at: at(0, '11:00'), open: false });
    const ev = Object.fromEntries(r.window.evidence.map((e) => [e.bound, e]));
    expect(ev.first_evidence.ref).toBe(`ci_runs:${rogue}`);
    expect(ev.first_exposure.ref).toBe(`ci_runs:${rogue}`);
    expect(ev.contained_at.ref).toBe(`events:${rotate}`);
  });
});

describe('the listing range', () => {
  it('signed lists the window (open-ended while open) unless --from/--to say otherwise', async () => {
    const FP = '9a'.repeat(32);
    for (let d = -45; d < 0; d++) {
      await sign(d, '10:00');
      await b.signature({ integrated_time: at(d, '10:00').replace(':00Z', ':02Z'), signer_kind: 'key', key_fingerprint: FP, artifact_digest: String(d + 50).padStart(64, '0') });
    }
    await keyOp(-10, 'key.rotate', 'update transit/keys/release/rotate');
    await sign(0, '03:00', 'token/stolen', '203.0.113.7');
    const doc = { ...CASE, keys: ['vault:release', `fp:${FP}`] };
    const r = await investigateCase(b.store, doc);
    expect(r.window.earliest_possible).toBe(at(-10, '12:00'));
    expect(r.signed.map((s) => s.integrated_time)).toEqual(Array.from({ length: 9 }, (_, i) => at(-9 + i, '10:00').replace(':00Z', ':02Z')));
    const inv = new Investigation(b.store, parseCaseDocument(doc), { from: at(-45, '00:00'), to: at(-40, '00:00') });
    expect((await inv.signed()).map((s) => s.integrated_time)).toHaveLength(5);
  });
});
