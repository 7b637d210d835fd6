/**
 * The nightly scan over three nights of acme-corp/ledger logs (test/fixtures/nights.ts): CloudTrail
 * delivery objects, the GitHub audit-log stream and Rekor entries, ingested from one growing folder
 * through the real adapters. The first night establishes the baseline, the second holds an attack, the third nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TUNABLES } from '../../src/scan/all-keys.js';
import { runScan } from '../../src/scan/run.js';
import { Store } from '../../src/store/database.js';
import { ATTACKER_IP, DEPLOY_BOT, KEY, ROLE, nights, type Nights } from '../fixtures/nights.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

interface Doc {
  scan: { scan_id: number; first: boolean; new_findings: number; seen_before: number; redelivered_from: number[]; ingested: { loaded: number; already_ingested: number } };
  findings: { rule: string; key: string; actor: string | null; summary: string; fingerprint: string; evidence: { table: string; file: string | null; record_no: number | null; entry_uuid?: string; event_uid?: string; ci_uid?: string }[]; scan_id: number }[];
}

const scan = async (n: Nights, ...args: string[]): Promise<CliRun & { doc: Doc }> => {
  const r = await runCli(['--db', n.db, '--format', 'json', 'scan', '--ingest', n.logs, ...args]);
  expect(r.stderr, r.stderr).not.toMatch(/^sigtrail:/m);
  return { ...r, doc: JSON.parse(r.stdout) as Doc };
};

const pairs = (d: Doc): string[] => d.findings.map((f) => `${f.rule} ${f.key}`).sort();

const night2AllKeys = (n: Nights): string[] => [
  `SECRET_TO_UNEXPECTED_JOB secret:COSIGN_KEY`,
  `SIGNED_WITHOUT_BUILD fp:${n.fp.ci}`,
  `SIGN_DENIED kms:${KEY}`,
  `UNEXPECTED_REF secret:COSIGN_KEY`,
  `UNEXPECTED_SOURCE_IP kms:${KEY}`,
  `UNKNOWN_SIGNER kms:${KEY}`,
].sort();

async function findingsTable(db: string): Promise<{ fingerprint: string; first_seen: string; last_seen: string; scan_id: number; last_scan_id: number; reported: boolean }[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await store.all('SELECT fingerprint, first_seen, last_seen, scan_id, last_scan_id, reported FROM findings ORDER BY fingerprint');
  } finally {
    store.close();
  }
}

describe('scan --all-keys over three nights', () => {
  let n: Nights;
  const runs: Record<string, CliRun & { doc: Doc }> = {};
  beforeAll(async () => {
    n = nights(tempDir('sigtrail-scan-'));
    await n.night(1);
    runs.night1 = await scan(n);
    await n.night(2);
    runs.night2 = await scan(n);
    await n.night(3);
    runs.night3 = await scan(n);
    runs.again = await scan(n);
  });

  it('night 1 ingests the history, establishes the baseline and finds nothing: exit 0', () => {
    expect(runs.night1.code).toBe(0);
    expect(runs.night1.doc.scan).toMatchObject({ first: true, new_findings: 0, ingested: { loaded: 93, already_ingested: 0 } });
    expect(runs.night1.doc.findings).toEqual([]);
  });

  it('night 2 reports exactly the attack — the PR job passed the secret, the denied and the foreign sign call, the signature outside any build — exit 1', () => {
    const r = runs.night2;
    expect(r.code).toBe(1);
    expect(r.doc.scan).toMatchObject({ first: false, new_findings: 6, ingested: { loaded: 5, already_ingested: 93 } });
    expect(pairs(r.doc)).toEqual(night2AllKeys(n));
    const by = (rule: string) => r.doc.findings.find((f) => f.rule === rule)!;
    expect(by('UNKNOWN_SIGNER')).toMatchObject({ actor: DEPLOY_BOT, summary: expect.stringContaining(`new principal ${DEPLOY_BOT} signed with kms:${KEY}`) as unknown });
    expect(by('UNEXPECTED_SOURCE_IP').summary).toMatch(new RegExp(`new source address ${ATTACKER_IP.replace(/\./g, '\\.')}, new client boto3`));
    expect(by('SIGN_DENIED').summary).toMatch(/1 denied attempt .* from 203\.0\.113\.50 \(kms:Sign: AccessDeniedException\)/);
    expect(by('SECRET_TO_UNEXPECTED_JOB').summary).toMatch(/secret:COSIGN_KEY passed to acme-corp\/ledger\/\.github\/workflows\/ci\.yml \(run 13579999001\)/);
    expect(by('SECRET_TO_UNEXPECTED_JOB').evidence).toEqual([expect.objectContaining({ table: 'ci_runs', file: expect.stringMatching(/github-audit\/acme-corp\/2025\/06\/01\/.*\.json\.gz$/) as unknown })]);
    // The audit log's job record names no ref: the run's head branch is the job's ref.
    expect(by('UNEXPECTED_REF').summary).toMatch(/on ref mallory\/bump-deps \(run 13579999001\)/);
    expect(by('UNEXPECTED_REF').actor).toBe('mallory-dev');
    const swb = by('SIGNED_WITHOUT_BUILD');
    expect(swb.evidence).toEqual([expect.objectContaining({
      table: 'signatures', entry_uuid: n.attack.fpCiEntry, file: expect.stringMatching(/rekor\/2025\/06\/01\/entries\.ndjson$/) as unknown, record_no: 4,
    })]);
    expect(swb.summary).toMatch(/no job passed secret:COSIGN_KEY was running \(its baseline: 31 of 31 entries had one\)/);
    // Evidence points back to the delivered CloudTrail object and the record in it.
    expect(by('SIGN_DENIED').evidence[0]).toMatchObject({ table: 'events', file: expect.stringMatching(/CloudTrail\/us-east-1\/2025\/06\/01\/.*\.json\.gz$/) as unknown, record_no: 1 });
    // The attacker's KMS signature pairs with their sign call: the call is the finding, not the entry.
    expect(r.doc.findings.some((f) => f.key === `fp:${n.fp.kms}`)).toBe(false);
  });

  it('night 3 adds nothing new: no findings, exit 0', () => {
    expect(runs.night3.code).toBe(0);
    expect(runs.night3.doc.findings).toEqual([]);
  });

  it('re-running the scan reports nothing twice; the stored findings keep their first sighting and move last_seen', async () => {
    expect(runs.again.code).toBe(0);
    expect(runs.again.doc.findings).toEqual([]);
    expect(runs.again.doc.scan.ingested).toMatchObject({ loaded: 0, already_ingested: 101 });
    const rows = await findingsTable(n.db);
    expect(rows.map((r) => r.fingerprint).sort()).toEqual(runs.night2.doc.findings.map((f) => f.fingerprint).sort());
    expect(rows.every((r) => r.scan_id === runs.night2.doc.scan.scan_id && r.reported)).toBe(true);
    // The trailing --since window re-judged the end of night 2: those findings were seen again.
    expect(rows.every((r) => r.first_seen <= r.last_seen)).toBe(true);
  });
});

describe('re-running the second night at once', () => {
  it('reports nothing twice and stores each finding once', async () => {
    const n = nights(tempDir('sigtrail-scan-'));
    await n.night(1);
    await scan(n);
    await n.night(2);
    const first = await scan(n);
    const second = await scan(n);
    const third = await scan(n, '--since', '7d');
    expect(first.code).toBe(1);
    expect(pairs(first.doc)).toEqual(night2AllKeys(n));
    expect([second.code, second.doc.findings]).toEqual([0, []]);
    // A wider window re-judges the attack: still the same fingerprints, still not reported again.
    expect([third.code, third.doc.findings, third.doc.scan.seen_before]).toEqual([0, [], 6]);
    expect(await findingsTable(n.db)).toHaveLength(6);
  });
});

describe('a scan that stored its findings but died before writing them', () => {
  it('has them delivered by the next scan, once', async () => {
    const n = nights(tempDir('sigtrail-scan-'));
    await n.night(1);
    await scan(n);
    await n.night(2);
    // Steps 1–5 of a scan, then the process is gone: no output, no `done`.
    const store = await Store.open(n.db);
    let stored: string[];
    let scanId: number;
    try {
      const out = await runScan(store, { mode: { kind: 'all-keys' }, ingest: [n.logs], tunables: DEFAULT_TUNABLES });
      stored = out.doc.findings.map((f) => f.fingerprint).sort();
      scanId = out.doc.scan.scan_id;
    } finally {
      store.close();
    }
    const next = await scan(n);
    expect(next.code).toBe(1);
    expect(next.doc.scan).toMatchObject({ redelivered_from: [scanId], new_findings: 0 });
    expect(next.doc.findings.map((f) => f.fingerprint).sort()).toEqual(stored);
    expect(next.doc.findings.every((f) => f.scan_id === scanId)).toBe(true);
    expect(pairs(next.doc)).toEqual(night2AllKeys(n));
    const after = await scan(n);
    expect([after.code, after.doc.findings, after.doc.scan.redelivered_from]).toEqual([0, [], []]);
  });
});

describe('scan --case (the investigation rules, with expectations)', () => {
  it('judges the KMS key against its case file over the three nights', async () => {
    const dir = tempDir('sigtrail-scan-');
    const n = nights(dir);
    const caseFile = path.join(dir, 'case.json');
    fs.writeFileSync(caseFile, JSON.stringify({
      name: 'ledger KMS key', keys: ['kms:alias/release-signing', `fp:${n.fp.kms}`],
      expected: { workflows: ['acme-corp/ledger/.github/workflows/release.yml'], refs: ['refs/tags/v*'], principals: [ROLE] },
    }));
    const codes: number[] = [];
    const docs: Doc[] = [];
    for (const night of [1, 2, 3] as const) {
      await n.night(night);
      const r = await scan(n, '--case', caseFile);
      codes.push(r.code);
      docs.push(r.doc);
    }
    const again = await scan(n, '--case', caseFile);
    expect(codes).toEqual([0, 1, 0]);
    expect(docs[1].findings.map((f) => f.rule).sort()).toEqual(['SIGNED_WITHOUT_BUILD', 'SIGN_DENIED', 'UNEXPECTED_SOURCE_IP', 'UNKNOWN_SIGNER']);
    // The case's fingerprints are the ones `sigtrail anomalies` prints.
    const anomalies = await runCli(['--db', n.db, '--format', 'json', 'anomalies', '--case', caseFile]);
    const fromAnomalies = (JSON.parse(anomalies.stdout) as { fingerprint: string }[]).map((f) => f.fingerprint).sort();
    expect(docs[1].findings.map((f) => f.fingerprint).sort()).toEqual(fromAnomalies);
    expect([again.code, again.doc.findings]).toEqual([0, []]);
    // A case scan keeps its own watermark: an all-keys scan of the same store starts its own baseline.
    const all = await scan(n);
    expect(all.doc.scan.first).toBe(true);
  });
});

describe('output and report', () => {
  let n: Nights;
  let night2: CliRun;
  let reportDir: string;
  beforeAll(async () => {
    n = nights(tempDir('sigtrail-scan-'));
    reportDir = path.join(tempDir('sigtrail-report-'), 'nightly', '2025-06-01');
    await n.night(1);
    await scan(n);
    await n.night(2);
    night2 = await runCli(['--db', n.db, '--format', 'ndjson', 'scan', '--ingest', n.logs, '--report', reportDir]);
  });

  it('ndjson prints one new finding per line', () => {
    expect(night2.code).toBe(1);
    const lines = night2.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; key: string });
    expect(lines.map((l) => `${l.rule} ${l.key}`).sort()).toEqual(night2AllKeys(n));
    expect(night2.stderr).toMatch(/6 new finding\(s\), 0 reported before/);
  });

  it('--report writes findings.json (the scan document) and a formula-safe findings.csv', () => {
    expect(fs.readdirSync(reportDir).sort()).toEqual(['findings.csv', 'findings.json']);
    const doc = JSON.parse(fs.readFileSync(path.join(reportDir, 'findings.json'), 'utf8')) as Doc;
    expect(pairs(doc)).toEqual(night2AllKeys(n));
    const rows = parse<Record<string, string>>(fs.readFileSync(path.join(reportDir, 'findings.csv'), 'utf8'), { columns: true });
    expect(rows.map((r) => `${r.rule} ${r.key}`).sort()).toEqual(night2AllKeys(n));
    expect(rows.find((r) => r.rule === 'SIGN_DENIED')!.evidence).toMatch(/^events:aws\.cloudtrail:.* \(.*\.json\.gz#1\)$/);
    expect(rows.every((r) => !/^[=+\-@]/.test(r.summary))).toBe(true);
  });

  it('a table run with nothing new says so and exits 0', async () => {
    const r = await runCli(['--db', n.db, 'scan']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no new findings/);
  });
});

describe('exit codes', () => {
  it('2 for usage errors', async () => {
    const dir = tempDir('sigtrail-scan-');
    const db = path.join(dir, 'x.duckdb');
    for (const args of [
      ['scan', '--all-keys', '--key', 'kms:alias/x'],
      ['scan', '--since', '24 hours'],
      ['scan', '--ingest', path.join(dir, 'missing')],
      ['scan', '--expect-workflow', 'acme/x/.github/workflows/release.yml'],
      ['scan', '--wait', 'forever'],
      ['scan', '--bogus'],
    ]) {
      const r = await runCli(['--db', db, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('2, not 1, for a runtime error: the database is not a DuckDB file', async () => {
    const dir = tempDir('sigtrail-scan-');
    const db = path.join(dir, 'not-a-db.duckdb');
    fs.writeFileSync(db, 'this is a text file, not a database\n'.repeat(200));
    const r = await runCli(['--db', db, '--format', 'json', 'scan']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ code: 'DATABASE' });
  });
});
