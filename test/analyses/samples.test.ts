/**
 * The demo incident (samples/) through the real adapters, judged by samples/expected.json: every
 * required finding with evidence covering each listed record (by id, or by source and time),
 * nothing the baseline must not trigger, and the verdicts and digests it lists.
 */
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { investigate } from '../../src/analyses/investigate.js';
import type { Finding, InvestigationResult } from '../../src/analyses/types.js';
import { loadCaseFile } from '../../src/case/spec.js';
import type { Store } from '../../src/store/database.js';
import { ROOT } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

const SAMPLES = path.join(ROOT, 'samples');
interface Rec { source: string; ts: string; id: string }
interface Expected {
  findings: { rule: string; evidence: Rec[] }[];
  must_not_report: { rules: string[]; baseline_signature_uuids: string[] };
  window: {
    earliest_possible: { ts: string; evidence: Rec[] }; first_exposure: { ts: string; evidence: Rec[] }; first_evidence: { ts: string; evidence: Rec[] };
    contained_at: { ts: string }; last_use: { ts: string }; open: boolean;
  };
  signed: { attested: { uuid: string }[]; anomalous: { uuid: string }[]; unattested: { uuid: string }[] };
  distrust: { digests: string[] };
}

const expected = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as Expected;
let store: Store;
let r: InvestigationResult;
/** (source, ts to the second) of every evidence row of every finding, looked up in the store. */
const located = new Map<string, { source: string; ts: string }>();

const second = (ts: string): string => ts.replace(/\.\d+Z$/, 'Z');
const sameId = (mine: string, theirs: string): boolean => mine.includes(theirs) || theirs.endsWith(mine);

beforeAll(async () => {
  ({ store } = await storeWith(['aws', 'github', 'sigstore', 'vault'].map((d) => path.join(SAMPLES, d))));
  r = await investigate(store, loadCaseFile(path.join(SAMPLES, 'case.json')));
  for (const f of r.findings) {
    for (const e of f.evidence) {
      const id = e.event_uid ?? e.entry_uuid ?? e.ci_uid ?? '';
      const row = e.table === 'events'
        ? await store.one<{ source: string; ts: string }>('SELECT source, ts FROM events WHERE event_uid = $1', [id])
        : e.table === 'signatures'
          ? await store.one<{ source: string; ts: string }>("SELECT 'rekor' AS source, integrated_time AS ts FROM signatures WHERE entry_uuid = $1", [id])
          : await store.one<{ source: string; ts: string }>("SELECT 'github.audit' AS source, started_at AS ts FROM ci_runs WHERE ci_uid = $1", [id]);
      if (row) located.set(id, { source: row.source, ts: second(row.ts) });
    }
  }
});
afterAll(() => store.close());

function covers(findings: Finding[], rec: Rec): boolean {
  return findings.some((f) => f.evidence.some((e) => {
    const id = e.event_uid ?? e.entry_uuid ?? e.ci_uid ?? '';
    const at = located.get(id);
    return sameId(id, rec.id) || (at !== undefined && at.source === rec.source && at.ts === second(rec.ts));
  }));
}

describe('the demo incident, judged by samples/expected.json', () => {
  it.each(expected.findings.map((f, i) => [`${i + 1}. ${f.rule}`, f] as const))('reports %s with evidence covering every listed record', (_name, exp) => {
    const mine = r.findings.filter((f) => f.rule === exp.rule);
    const missing = exp.evidence.filter((rec) => !covers(mine, rec));
    expect(missing).toEqual([]);
  });

  it('reports none of the rules the baseline must not trigger, and cites no baseline signature', () => {
    expect(r.findings.filter((f) => expected.must_not_report.rules.includes(f.rule))).toEqual([]);
    const cited = r.findings.flatMap((f) => f.evidence.map((e) => e.entry_uuid)).filter((u): u is string => Boolean(u));
    expect(cited.filter((u) => expected.must_not_report.baseline_signature_uuids.some((b) => sameId(u, b)))).toEqual([]);
  });

  it('opens the window at the earliest record of the key (no rotation is logged), cites the first exposure, and dates the first evidence at the first rogue signature', () => {
    const bound = (b: string) => r.window.evidence.find((e) => e.bound === b);
    const w = expected.window;
    expect(second(r.window.earliest_possible!)).toBe(w.earliest_possible.ts);
    expect(bound('earliest_possible')?.ref).toContain(w.earliest_possible.evidence[0].id);
    expect(second(bound('first_exposure')!.ts!)).toBe(w.first_exposure.ts);
    expect(bound('first_exposure')?.summary).toMatch(/^SECRET_TO_UNEXPECTED_JOB: COSIGN_KEY passed to/);
    expect(second(r.window.first_evidence!)).toBe(w.first_evidence.ts);
    expect(sameId(bound('first_evidence')!.ref.replace(/^signatures:/, ''), w.first_evidence.evidence[0].id)).toBe(true);
  });

  it('closes the window when the last alias is revoked, and keeps it open for the entry signed after', () => {
    expect(second(r.window.contained_at!)).toBe(expected.window.contained_at.ts);
    expect(r.window.last_use).toBe(expected.window.last_use.ts);
    expect(r.window.open).toBe(expected.window.open);
    expect(r.window.evidence.filter((e) => e.bound === 'contained_at').map((e) => e.alias).sort()).toEqual([
      'COSIGN_KEY', 'arn:aws:kms:us-east-1:111122223333:key/5f2b8c1e-7d4a-4c9b-8e3f-0a6d1b2c3e4f', 'release/cosign-key', 'vault:release-signing',
    ]);
  });

  it('gives the verdicts expected.json lists', () => {
    const verdict = (uuid: string): string | undefined => r.signed.find((s) => sameId(s.entry_uuid, uuid))?.verdict;
    for (const s of expected.signed.attested) expect(verdict(s.uuid), s.uuid).toBe('attested');
    for (const s of expected.signed.anomalous) expect(verdict(s.uuid), s.uuid).toBe('anomalous');
    // S4, signed after containment, "may also be reported anomalous".
    for (const s of expected.signed.unattested) expect(['unattested', 'anomalous'], s.uuid).toContain(verdict(s.uuid));
    expect(r.signed.filter((s) => s.verdict === 'unattested')).toHaveLength(3);
  });

  it('tells consumers to distrust exactly the five digests the attacker signed', () => {
    expect(r.distrust.digests).toEqual(expected.distrust.digests.map((d) => `sha256:${d}`).sort());
  });
});
