/**
 * Times every investigation analysis on a synthetic store of N canonical events (default 1M),
 * with a heavily used key: tens of thousands of KMS sign calls with their OIDC sessions and
 * paired Rekor entries, daily secret reads, CI jobs passed the secret, and background noise from
 * four sources. Rows are generated inside DuckDB (set-based INSERT … SELECT over range()).
 *
 *   node --import tsx bench/analyses.ts [--events 1000000] [--db path]
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Investigation } from '../src/analyses/investigate.js';
import { buildCase } from '../src/case/spec.js';
import { Store } from '../src/store/database.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const N = Number(arg('--events', '1000000'));
const DB = arg('--db', '/tmp/sigtrail-bench-analyses.duckdb');
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const FP = 'ab'.repeat(32);

async function build(store: Store): Promise<void> {
  const signs = Math.floor(N * 0.04);
  const reads = Math.floor(N * 0.02);
  const jobs = Math.floor(N * 0.01);
  const noise = N - 2 * signs - reads - jobs - 3;
  await store.exec(`INSERT INTO files (path, sha256, bytes, adapter, status) VALUES ('bench://synthetic', 'bench', 0, 'bench', 'loaded')`);
  const base = "TIMESTAMPTZ '2025-01-01 00:00:00+00'";
  const span = 60 * 86400;
  // Background noise from four sources, including reads of other secrets.
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, principal, credential_id, source_ip, user_agent, target, file_id, record_no)
    SELECT 'n' || i, (['aws.cloudtrail','aws.cloudtrail','github.audit','vault.audit','gcp.audit'])[1 + i % 5],
           ${base} + to_seconds(CAST(hash(i) % ${span} AS BIGINT)),
           CASE WHEN i % 50 = 0 THEN 'secret.read' WHEN i % 97 = 0 THEN 'credential.assume' ELSE 'other' END,
           'svc:Op' || (i % 40), CASE WHEN i % 31 = 0 THEN 'denied' ELSE 'success' END,
           'user' || (i % 500), 'arn:aws:iam::111122223333:user/user' || (i % 500), 'AKIA' || (i % 700),
           '10.' || (i % 200) || '.' || (i % 50) || '.1', 'aws-cli/2.' || (i % 9), 'prod/secret-' || (i % 300), 1, i
    FROM range(${noise}) t(i)`);
  // OIDC sessions and the sign calls they make.
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, principal, issued_credential_id, target, repo, ref, file_id, record_no)
    SELECT 'a' || i, 'aws.cloudtrail', ${base} + to_seconds(CAST(i * ${Math.floor(span / signs)} AS BIGINT)), 'credential.assume', 'sts:AssumeRoleWithWebIdentity', 'success',
           'repo:acme/ledger:ref:refs/tags/v' || i, 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com', 'ASIA' || i,
           'arn:aws:iam::111122223333:role/release', 'acme/ledger', 'refs/tags/v' || i, 1, ${N} + i
    FROM range(${signs}) t(i)`);
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, principal, credential_id, source_ip, user_agent, target, details, file_id, record_no)
    SELECT 's' || i, 'aws.cloudtrail', ${base} + to_seconds(CAST(i * ${Math.floor(span / signs)} + 30 AS BIGINT)), 'key.sign', 'kms:Sign',
           CASE WHEN i % 500 = 7 THEN 'denied' ELSE 'success' END,
           'arn:aws:sts::111122223333:assumed-role/release/gh', 'arn:aws:iam::111122223333:role/release', 'ASIA' || i,
           '140.82.112.' || (i % 20), 'aws-sdk-go-v2/1.24', $1, json_object('key_id', 'alias/release'), 1, 2 * ${N} + i
    FROM range(${signs}) t(i)`, [KEY]);
  await store.run(`INSERT INTO signatures (entry_uuid, log_index, integrated_time, kind, artifact_digest, signer_kind, key_fingerprint, tlog_verified, file_id, record_no)
    SELECT lpad(CAST(i AS VARCHAR), 64, '0'), 1000000 + i, ${base} + to_seconds(CAST(i * ${Math.floor(span / signs)} + 32 AS BIGINT)), 'hashedrekord',
           md5(CAST(i AS VARCHAR)) || md5(CAST(i + 1 AS VARCHAR)), 'key', $1, 'verified', 1, i
    FROM range(${signs}) t(i)`, [FP]);
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, principal, credential_id, source_ip, user_agent, target, file_id, record_no)
    SELECT 'r' || i, 'aws.cloudtrail', ${base} + to_seconds(CAST(i * ${Math.floor(span / reads)} AS BIGINT)), 'secret.read', 'secretsmanager:GetSecretValue', 'success',
           'arn:aws:sts::111122223333:assumed-role/secret-sync/x', 'arn:aws:iam::111122223333:role/secret-sync', 'ASIAS' || i,
           '34.201.10.20', 'aws-sdk-go-v2/1.24', 'release/cosign-key', 1, 3 * ${N} + i
    FROM range(${reads}) t(i)`);
  // CI: one release run per sign session (ci_runs, 10 minutes, around the sign call); the audit
  // log's prepared_workflow_job for a share of them, passing the key's secret.
  await store.run(`INSERT INTO ci_runs (ci_uid, level, provider, run_id, repo, workflow, ref, trigger_event, runner_type, started_at, completed_at, secrets_passed, file_id, record_no)
    SELECT 'run' || i, 'job', 'github', CAST(800000 + i AS VARCHAR), 'acme/ledger', '.github/workflows/release.yml', 'refs/tags/v' || i, 'push', 'github-hosted',
           ${base} + to_seconds(CAST(i * ${Math.floor(span / signs)} - 60 AS BIGINT)), ${base} + to_seconds(CAST(i * ${Math.floor(span / signs)} + 540 AS BIGINT)),
           CASE WHEN i % 4 = 0 THEN ['COSIGN_KEY'] END, 1, i
    FROM range(${signs}) t(i)`);
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, repo, workflow, ref, run_id, secrets, file_id, record_no)
    SELECT 'j' || i, 'github.audit', ${base} + to_seconds(CAST(i * ${Math.floor(span / jobs)} AS BIGINT)), 'ci.job', 'workflows.prepared_workflow_job', 'success',
           'release-bot', 'acme/ledger', CASE WHEN i % 997 = 5 THEN '.github/workflows/ci.yml' ELSE '.github/workflows/release.yml' END,
           'refs/tags/v' || i, CAST(700000 + i AS VARCHAR), ['COSIGN_KEY'], 1, 4 * ${N} + i
    FROM range(${jobs}) t(i)`);
  // The incident: a leaked key used from outside, then containment.
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, principal, credential_id, source_ip, user_agent, target, file_id, record_no)
    VALUES ('x1', 'aws.cloudtrail', TIMESTAMPTZ '2025-02-20 12:00:00+00', 'key.sign', 'kms:Sign', 'success', 'arn:aws:iam::111122223333:user/bot',
            'arn:aws:iam::111122223333:user/bot', 'AKIAX', '203.0.113.50', 'Boto3/1.34', $1, 1, 5 * ${N}),
           ('x2', 'aws.cloudtrail', TIMESTAMPTZ '2025-02-20 12:05:00+00', 'secret.read', 'secretsmanager:GetSecretValue', 'success', 'arn:aws:iam::111122223333:user/bot',
            'arn:aws:iam::111122223333:user/bot', 'AKIAX', '203.0.113.50', 'Boto3/1.34', 'prod/db', 1, 5 * ${N} + 1),
           ('x3', 'aws.cloudtrail', TIMESTAMPTZ '2025-02-21 09:00:00+00', 'key.disable', 'kms:DisableKey', 'success', 'arn:aws:iam::111122223333:user/alice',
            'arn:aws:iam::111122223333:user/alice', 'AKIAA', '198.51.100.1', 'aws-cli/2.15', $1, 1, 5 * ${N} + 2)`, [KEY]);
  await store.run(`INSERT INTO signatures (entry_uuid, log_index, integrated_time, kind, artifact_digest, signer_kind, key_fingerprint, tlog_verified, file_id, record_no)
    VALUES ('f'  || repeat('0', 63), 9000000, TIMESTAMPTZ '2025-02-20 12:00:02+00', 'hashedrekord', repeat('c', 64), 'key', $1, 'verified', 1, 0)`, [FP]);
}

async function main(): Promise<void> {
  for (const f of [DB, `${DB}.wal`]) fs.rmSync(f, { force: true });
  let store = await Store.open(DB);
  const t0 = performance.now();
  await build(store);
  const counts = await store.one<{ e: number; s: number }>('SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM signatures) AS s');
  store.close();
  process.stderr.write(`built ${counts?.e} events, ${counts?.s} signatures in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  store = await Store.open(DB, { readOnly: true });
  const spec = buildCase({
    keys: ['kms:alias/release', `fp:${FP}`, 'secret:COSIGN_KEY', 'secret:release/cosign-key'],
    expect: { workflows: ['acme/ledger/.github/workflows/release.yml'], refs: ['refs/tags/v*'], principals: ['arn:aws:iam::111122223333:role/*'] },
  });
  const inv = new Investigation(store, spec);
  const t1 = performance.now();
  const r = await inv.all();
  const total = performance.now() - t1;
  const rows = Object.entries(inv.timings).sort((a, b) => b[1] - a[1]).map(([step, ms]) => ({ step, ms: Math.round(ms) }));
  console.log(JSON.stringify({
    events: counts?.e, signatures: counts?.s, total_ms: Math.round(total), steps: rows,
    results: { findings: r.findings.length, signed: r.signed.length, lateral: r.lateral.length, timeline: r.timeline.length, window: { ...r.window, expected: undefined, evidence: undefined } },
  }, null, 2));
  store.close();
}

await main();
