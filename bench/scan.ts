/**
 * Benchmark hook for the nightly scan: a store of N canonical events over D days (default 1M over
 * 30), a first scan that sets the watermark, then one new day delivered as a CloudTrail file
 * (about N / D records, through the real adapter) and the nightly `--all-keys` scan that ingests
 * and judges it. Set-based SQL restricted by the watermark is what keeps the second number small.
 *
 * The history holds five KMS keys (one heavily used: 3% of all events are its sign calls, each
 * with its OIDC session and transparency-log entry, and a CI job passed the key's secret), 300
 * application secrets read by their own roles, and background noise. The new day repeats that
 * pattern and adds an attack on key 2: a denied and a successful sign call by a leaked IAM user
 * key from a new address.
 *
 *   node --import tsx bench/scan.ts [--events 1000000] [--days 30] [--dir /tmp/sigtrail-bench-scan] [--smoke] [--case]
 *
 * `benchScan()` is the programmatic entry point (for bench/run.ts); it returns the numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { buildCase } from '../src/case/spec.js';
import { DEFAULT_TUNABLES } from '../src/scan/all-keys.js';
import { runScan, type ScanDocument, type ScanMode } from '../src/scan/run.js';
import { markDelivered } from '../src/scan/watermark.js';
import { Store } from '../src/store/database.js';
import {
  ACCOUNT, assumeRoleWithWebIdentity, assumedRole, getSecretValue, githubOidc, iamUser, kmsSign, ndjson,
} from '../test/fixtures/cloudtrail-records.js';

export interface ScanBenchOptions {
  events?: number;
  days?: number;
  /** Working folder (database and the new day's file); recreated. */
  dir?: string;
  /** Also time a --case scan of the heavily used key. */
  caseScan?: boolean;
}

export interface ScanBenchResult {
  events: number;
  days: number;
  build_s: number;
  first_scan_s: number;
  new_day: { file_records: number; file_mb: number };
  nightly_scan_s: number;
  nightly_timings_ms: Record<string, number>;
  nightly_findings: string[];
  watched_keys: number | null;
  case_scan_s?: number;
  case_findings?: string[];
}

const KEYS = Array.from({ length: 5 }, (_, k) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${String(k).repeat(8)}-1111-4222-a333-44445555666${k}`);
const RUNNER_UA = 'aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 api/kms#1.35.0 configure-aws-credentials-for-github-actions';
const APP_UA = 'aws-sdk-java/2.20.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/17.0.9';
const T0 = Date.parse('2025-01-01T00:00:00Z');

/** The history, generated inside DuckDB (set-based INSERT … SELECT over range()). */
async function buildHistory(store: Store, n: number, days: number): Promise<void> {
  const span = days * 86_400;
  const heavy = Math.floor(n * 0.03);
  const light = days * 24;
  const reads = Math.floor(n * 0.02);
  const sync = days * 24;
  const base = `TIMESTAMPTZ '${new Date(T0).toISOString()}'`;
  await store.exec(`INSERT INTO files (path, sha256, bytes, adapter, status) VALUES ('bench://history', 'bench-history', 0, 'bench', 'loaded')`);
  // Sign sessions, sign calls, entries and release jobs of each key: key 0 heavy, keys 1–4 hourly.
  for (const [k, key] of KEYS.entries()) {
    const count = k === 0 ? heavy : light;
    const step = Math.floor(span / count);
    const ts = `${base} + to_seconds(CAST(i * ${step} + ${k * 97} AS BIGINT))`;
    await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, actor_type, principal, issued_credential_id, source_ip,
        user_agent, target, repo, ref, file_id, record_no)
      SELECT 'h-a${k}-' || i, 'aws.cloudtrail', ${ts} - INTERVAL 20 SECOND, 'credential.assume', 'sts:AssumeRoleWithWebIdentity', 'success',
             'repo:acme-corp/svc-${k}:ref:refs/tags/v' || i, 'WebIdentityUser', 'arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com',
             'ASIAH${k}X' || i, '140.82.112.' || (i % 20), $ua, 'arn:aws:iam::${ACCOUNT}:role/release-signer-${k}', 'acme-corp/svc-${k}', 'refs/tags/v' || i, 1, i
      FROM range(${count}) t(i)`, { ua: RUNNER_UA });
    await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, actor_type, principal, credential_id, source_ip,
        user_agent, target, target_type, details, file_id, record_no)
      SELECT 'h-s${k}-' || i, 'aws.cloudtrail', ${ts}, 'key.sign', 'kms:Sign', 'success',
             'arn:aws:sts::${ACCOUNT}:assumed-role/release-signer-${k}/GitHubActions', 'AssumedRole', 'arn:aws:iam::${ACCOUNT}:role/release-signer-${k}',
             'ASIAH${k}X' || i, '140.82.112.' || (i % 20), $ua, $key, 'kms_key', json_object('key_id', 'alias/release-${k}'), 1, i
      FROM range(${count}) t(i)`, { ua: RUNNER_UA, key });
    await store.run(`INSERT INTO signatures (entry_uuid, log_index, integrated_time, kind, artifact_digest, signer_kind, key_fingerprint, tlog_verified, file_id, record_no)
      SELECT md5('h${k}-' || i) || md5('kms${k}-' || i), 5000000 + ${k} * 1000000 + i, ${ts} + INTERVAL 2 SECOND, 'hashedrekord', md5('d${k}' || i) || md5('e${k}' || i),
             'key', md5('fp-kms-${k}') || md5('fp-kms-${k}x'), 'verified', 1, i
      FROM range(${count}) t(i)`);
    await store.run(`INSERT INTO ci_runs (ci_uid, level, provider, run_id, attempt, job_name, repo, workflow, ref, trigger_event, actor, runner_type,
        started_at, completed_at, conclusion, secrets_passed, sources, file_id, record_no)
      SELECT 'github:job:${k}-' || i, 'job', 'github', CAST(${k + 1} * 100000000 + i AS VARCHAR), 1, 'sign-and-publish', 'acme-corp/svc-${k}',
             'acme-corp/svc-${k}/.github/workflows/release.yml', 'refs/tags/v' || i, 'push', 'release-bot', 'hosted',
             ${ts} - INTERVAL 60 SECOND, ${ts} + INTERVAL 240 SECOND, 'success', ['COSIGN_KEY_${k}'], ['github.audit'], 1, i
      FROM range(${count}) t(i)`);
  }
  // The nightly read of each key's backup copy, and the application secrets read by their own roles.
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, actor_type, principal, credential_id, source_ip,
      user_agent, target, target_type, file_id, record_no)
    SELECT 'h-y-' || i, 'aws.cloudtrail', ${base} + to_seconds(CAST(i * 3600 + 180 AS BIGINT)), 'secret.read', 'secretsmanager:GetSecretValue', 'success',
           'arn:aws:sts::${ACCOUNT}:assumed-role/secret-sync/sync', 'AssumedRole', 'arn:aws:iam::${ACCOUNT}:role/secret-sync', 'ASIASYNC' || i,
           '34.201.10.20', 'aws-sdk-go-v2/1.24.0', 'release/cosign-key-' || (i % 5), 'secret', 1, i
    FROM range(${sync}) t(i)`);
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, actor, actor_type, principal, credential_id, source_ip,
      user_agent, target, target_type, file_id, record_no)
    SELECT 'h-r-' || i, 'aws.cloudtrail', ${base} + to_seconds(CAST(hash(i) % ${span} AS BIGINT)), 'secret.read', 'secretsmanager:GetSecretValue', 'success',
           'arn:aws:sts::${ACCOUNT}:assumed-role/app-' || (i % 300 % 50) || '/task', 'AssumedRole', 'arn:aws:iam::${ACCOUNT}:role/app-' || (i % 300 % 50),
           'ASIAAPP' || (i % 700), '10.1.' || (i % 300 % 50) || '.7', $ua, 'prod/secret-' || (i % 300), 'secret', 1, i
    FROM range(${reads}) t(i)`, { ua: APP_UA });
  const used = 2 * heavy + 8 * light + sync + reads;
  await store.run(`INSERT INTO events (event_uid, source, ts, action, native_action, outcome, error_code, actor, principal, credential_id, source_ip, user_agent,
      target, file_id, record_no)
    SELECT 'h-n-' || i, 'aws.cloudtrail', ${base} + to_seconds(CAST(hash(i + 7) % ${span} AS BIGINT)), 'other', 'ec2:DescribeInstances',
           CASE WHEN i % 53 = 0 THEN 'denied' ELSE 'success' END, CASE WHEN i % 53 = 0 THEN 'Client.UnauthorizedOperation' END,
           'arn:aws:sts::${ACCOUNT}:assumed-role/monitoring/exporter', 'arn:aws:iam::${ACCOUNT}:role/monitoring', 'ASIAMON' || (i % 40),
           '10.0.' || (i % 200) || '.7', 'aws-sdk-go/1.50.0', NULL, 1, i
    FROM range(${Math.max(0, n - used)}) t(i)`);
}

/** The new day as CloudTrail delivers it (records modelled on AWS's documentation), plus its entries and jobs as canonical rows. */
async function newDay(store: Store, dir: string, n: number, days: number): Promise<{ file: string; records: number }> {
  const day0 = T0 + days * 86_400_000;
  const at = (sec: number): string => new Date(day0 + sec * 1000).toISOString().replace('.000Z', 'Z');
  const records: Record<string, unknown>[] = [];
  const signs: { k: number; sec: number; i: number }[] = [];
  const heavy = Math.floor((n * 0.03) / days);
  for (const [k, key] of KEYS.entries()) {
    const count = k === 0 ? heavy : 24;
    for (let j = 0; j < count; j++) {
      const i = 10_000_000 + j;
      const sec = Math.floor((j * 86_400) / count) + k * 97;
      const session = `ASIAN${k}X${i}`;
      const ip = `140.82.112.${i % 20}`;
      records.push(assumeRoleWithWebIdentity({ time: at(sec - 20), who: githubOidc(`acme-corp/svc-${k}`, `refs/tags/v${i}`), ip, ua: RUNNER_UA, seed: `${k}` },
        `release-signer-${k}`, 'GitHubActions', session, `repo:acme-corp/svc-${k}:ref:refs/tags/v${i}`));
      const sign = kmsSign({ time: at(sec), who: assumedRole(`release-signer-${k}`, 'GitHubActions', session, at(sec - 20)), ip, ua: RUNNER_UA }, key);
      (sign.requestParameters as Record<string, unknown>).keyId = `alias/release-${k}`;
      records.push(sign);
      signs.push({ k, sec, i });
    }
  }
  for (let h = 0; h < 24; h++) {
    records.push(getSecretValue({ time: at(h * 3600 + 180), who: assumedRole('secret-sync', 'sync', `ASIASYNCN${h}`, at(h * 3600)), ip: '34.201.10.20', ua: 'aws-sdk-go-v2/1.24.0' }, `release/cosign-key-${h % 5}`));
  }
  const reads = Math.floor((n * 0.02) / days);
  for (let j = 0; j < reads; j++) {
    const s = (j * 7) % 300;
    records.push(getSecretValue({ time: at(Math.floor((j * 86_400) / reads)), who: assumedRole(`app-${s % 50}`, 'task', `ASIAAPPN${j % 700}`, at(0)), ip: `10.1.${s % 50}.7`, ua: APP_UA, seed: `${j}` }, `prod/secret-${s}`));
  }
  // The attack: a leaked IAM user key, denied once, then signing with key 2.
  const bot = iamUser('deploy-bot', 'AKIADEPLOYBOT0000001');
  records.push(kmsSign({ time: at(14 * 3600 + 1500), who: bot, ip: '203.0.113.50', ua: 'Boto3/1.34.0' }, KEYS[2], { code: 'AccessDeniedException', message: 'not authorized' }));
  records.push(kmsSign({ time: at(14 * 3600 + 1800), who: bot, ip: '203.0.113.50', ua: 'Boto3/1.34.0' }, KEYS[2]));
  const target = Math.floor(n / days);
  const monitoring = assumedRole('monitoring', 'exporter', 'ASIAMON1', at(0));
  for (let j = records.length; j < target; j++) {
    const r = getSecretValue({ time: at(Math.floor(((j * 86_400) / target))), who: monitoring, ip: `10.0.${j % 200}.7`, ua: 'aws-sdk-go/1.50.0', seed: `n${j}` }, 'x');
    records.push({ ...r, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', requestParameters: { instancesSet: {}, filterSet: {} }, resources: undefined, readOnly: true });
  }
  const file = path.join(dir, 'incoming', 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', `${ACCOUNT}_CloudTrail_us-east-1_day${days}.ndjson`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ndjson(records));
  // The day's transparency-log entries and release jobs (their adapters: Rekor, GitHub audit).
  const f = await store.one<{ file_id: number }>(`INSERT INTO files (path, sha256, bytes, adapter, status) VALUES ('bench://day-rekor-ci', 'bench-day', 0, 'bench', 'loaded') RETURNING file_id`);
  const rows = JSON.stringify(signs.map((s) => ({ k: s.k, i: s.i, t: at(s.sec) })));
  const src = `(SELECT unnest(from_json($rows, '[{"k":"INTEGER","i":"BIGINT","t":"VARCHAR"}]'), recursive := true))`;
  await store.run(`INSERT INTO signatures (entry_uuid, log_index, integrated_time, kind, artifact_digest, signer_kind, key_fingerprint, tlog_verified, file_id, record_no)
    SELECT md5('n' || k || '-' || i) || md5('kms' || k || i), 9000000 + i + k * 100000, CAST(t AS TIMESTAMPTZ) + INTERVAL 2 SECOND, 'hashedrekord',
           md5('dn' || k || i) || md5('en' || k || i), 'key', md5('fp-kms-' || k) || md5('fp-kms-' || k || 'x'), 'verified', $f, i FROM ${src}`, { rows, f: f!.file_id });
  await store.run(`INSERT INTO ci_runs (ci_uid, level, provider, run_id, attempt, job_name, repo, workflow, ref, trigger_event, actor, runner_type,
      started_at, completed_at, conclusion, secrets_passed, sources, file_id, record_no)
    SELECT 'github:job:n' || k || '-' || i, 'job', 'github', CAST((k + 1) * 100000000 + i AS VARCHAR), 1, 'sign-and-publish', 'acme-corp/svc-' || k,
           'acme-corp/svc-' || k || '/.github/workflows/release.yml', 'refs/tags/v' || i, 'push', 'release-bot', 'hosted',
           CAST(t AS TIMESTAMPTZ) - INTERVAL 60 SECOND, CAST(t AS TIMESTAMPTZ) + INTERVAL 240 SECOND, 'success', ['COSIGN_KEY_' || k], ['github.audit'], $f, i
    FROM ${src}`, { rows, f: f!.file_id });
  return { file, records: records.length };
}

async function scanOnce(db: string, mode: ScanMode, ingestPaths: string[] = []): Promise<ScanDocument> {
  const store = await Store.open(db);
  try {
    const out = await runScan(store, { mode, ingest: ingestPaths, tunables: DEFAULT_TUNABLES });
    await markDelivered(store, out.deliver);
    return out.doc;
  } finally {
    store.close();
  }
}

/** Builds the store, runs the first scan, delivers one new day and times the nightly scan. */
export async function benchScan(options: ScanBenchOptions = {}): Promise<ScanBenchResult> {
  const n = options.events ?? 1_000_000;
  const days = options.days ?? 30;
  const dir = options.dir ?? '/tmp/sigtrail-bench-scan';
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'store.duckdb');
  const t0 = performance.now();
  let store = await Store.open(db);
  await buildHistory(store, n, days);
  store.close();
  const build = (performance.now() - t0) / 1000;
  const first = await scanOnce(db, { kind: 'all-keys' });
  store = await Store.open(db);
  const day = await newDay(store, dir, n, days);
  store.close();
  const caseDb = path.join(dir, 'case.duckdb');
  if (options.caseScan) fs.copyFileSync(db, caseDb);
  const t1 = performance.now();
  const nightly = await scanOnce(db, { kind: 'all-keys' }, [path.join(dir, 'incoming')]);
  const nightlyS = (performance.now() - t1) / 1000;
  const result: ScanBenchResult = {
    events: n, days, build_s: round(build), first_scan_s: first.scan.seconds,
    new_day: { file_records: day.records, file_mb: round(fs.statSync(day.file).size / 1e6) },
    nightly_scan_s: round(nightlyS), nightly_timings_ms: nightly.scan.timings_ms,
    nightly_findings: nightly.findings.map((f) => `${f.rule} ${f.key}`), watched_keys: nightly.scan.watched,
  };
  if (options.caseScan) {
    // The heavily used key judged by its case: the investigation reads the key's whole history.
    const spec = buildCase({ keys: [`kms:${KEYS[0]}`], expect: { workflows: ['acme-corp/svc-0/.github/workflows/release.yml'], refs: ['refs/tags/v*'] } });
    await scanOnce(caseDb, { kind: 'case', spec });
    const t2 = performance.now();
    const doc = await scanOnce(caseDb, { kind: 'case', spec }, [path.join(dir, 'incoming')]);
    result.case_scan_s = round((performance.now() - t2) / 1000);
    result.case_findings = doc.findings.map((f) => `${f.rule} ${f.key}`);
  }
  return result;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const smoke = args.includes('--smoke');
  const result = await benchScan({
    events: Number(arg('--events') ?? (smoke ? 30_000 : 1_000_000)), days: Number(arg('--days') ?? 30), dir: arg('--dir'),
    caseScan: args.includes('--case'),
  });
  console.log(JSON.stringify(result, null, 2));
}
