import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { ndjson, toNdjson } from '../helpers/records.js';
import { fixtureDir, realdata, ROOT } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

type Rec = Record<string, unknown>;
const FIXTURE = `${ROOT}/test/fixtures/github-audit/acme-org-audit.ndjson`;
const TIME_KEYS = ['@timestamp', 'at_sign_timestamp', 'created_at', 'p_event_time'];

/** The time an entry carries, as sigtrail reads it: epoch ms, or an ISO / Panther string. */
function timeOf(r: Rec): number | undefined {
  const t = TIME_KEYS.map((k) => r[k]).find((v) => v !== undefined && v !== null);
  if (typeof t === 'number') return t;
  if (typeof t !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/.exec(t);
  if (!m) return undefined;
  return Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4] ?? 'Z'}`);
}

/** What makes two entries the same event: `_document_id` + action, else content without Panther and time keys. */
function identity(r: Rec): string {
  if (typeof r._document_id === 'string') return `d:${r._document_id}:${String(r.action)}`;
  const content = Object.keys(r).filter((k) => !k.startsWith('p_') && !TIME_KEYS.includes(k)).sort()
    .map((k) => `${k}=${JSON.stringify(r[k])}`);
  return `h:${content.join('|')}:${timeOf(r)}`;
}

/** A Panther data-lake copy of a raw entry: @timestamp renamed, times as strings, p_* keys added. */
function pantherCopy(r: Rec): Rec {
  const fmt = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  const out: Rec = { p_log_type: 'GitHub.Audit', p_parse_time: '2025-03-12 07:00:01.123456789', p_source_label: 'AuditLog' };
  for (const [k, v] of Object.entries(r)) {
    if (k === '@timestamp') out.at_sign_timestamp = fmt(v as number);
    else if (k === 'created_at') out.created_at = fmt(v as number);
    else out[k] = v;
  }
  return out;
}

describe('github-audit adapter on the real records', () => {
  it('maps every entry of the Elastic org audit-log excerpt, modern and legacy shapes', async () => {
    const p = realdata('github', 'elastic', 'elastic_github_audit_org.excerpt.ndjson');
    const records = ndjson(p);
    const r = await storeWith([p]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'github-audit', records: records.length, inserted: records.length, duplicates: 0, rejected: 0 });
    const rows = await store.all<{ record_no: number; ts: string; native_action: string; source: string }>(
      'SELECT record_no, ts, native_action, source FROM events ORDER BY record_no',
    );
    rows.forEach((row, i) => {
      expect(row.source).toBe('github.audit');
      expect(row.native_action).toBe(records[i].action);
      expect(new Date(row.ts).getTime()).toBe(timeOf(records[i]));
    });
    // The stream shape's token and address fields become credential and source address.
    const clone = await store.one<{ credential_id: string; source_ip: string; user_agent: string; details: string }>(
      "SELECT credential_id, source_ip, user_agent, details FROM events WHERE actor = 'imays11'",
    );
    expect(clone).toMatchObject({ credential_id: 'vnjCX8GeYi1K6rxJjPLM0GG1XRavJaqwAVosSTI1XNI=', source_ip: '81.2.69.144', user_agent: 'git/2.39.3.windows.1' });
    expect(JSON.parse(clone!.details)).toMatchObject({ programmatic_access_type: 'OAuth access token', country: 'US' });
    // The legacy shape nests the workflow fields under data{}.
    const del = await store.one<{ action: string; run_id: string; ref: string; repo: string }>(
      "SELECT action, run_id, ref, repo FROM events WHERE native_action = 'workflows.delete_workflow_run'",
    );
    expect(del).toEqual({ action: 'ci.run', run_id: '601065160', ref: 'Barrel-Racing-Path', repo: 'Example-Org/repo-123' });
  });

  it('accounts for every Panther record: stored once, duplicate, or rejected for want of a time', async () => {
    const p = realdata('github', 'panther_GitHub_Audit.panther.ndjson');
    const records = ndjson(p);
    const usable = records.filter((x) => typeof x.action === 'string' && timeOf(x) !== undefined);
    const expectedInserted = new Set(usable.map(identity)).size;
    const r = await storeWith([p]);
    store = r.store;
    const f = r.files[0];
    expect(f).toMatchObject({
      adapter: 'github-audit', records: records.length, rejected: records.length - usable.length,
      inserted: expectedInserted, duplicates: usable.length - expectedInserted,
    });
    expect(f.rejected).toBeGreaterThan(0);
    const reasons = await store.all<{ reason: string; line_no: number }>('SELECT reason, line_no FROM rejects');
    expect(reasons.every((x) => x.reason.startsWith('missing or unparseable time') && x.line_no > 0)).toBe(true);
    // Panther's "YYYY-MM-DD HH:MM:SS.fff" strings are UTC; nine-digit fractions keep their raw text.
    const run = await store.one<{ ts: string }>("SELECT ts FROM events WHERE run_id = '5555555555'");
    expect(run!.ts).toBe('2023-01-31T18:58:27.638Z');
    const raw = await store.one<{ ts_raw: string }>("SELECT ts_raw FROM events WHERE native_action = 'repository_vulnerability_alert.dismiss'");
    expect(raw!.ts_raw).toBe('2024-04-09 06:17:55.186000000');
  });
});

describe('github-audit adapter on the documented workflow and secret entries', () => {
  it('maps the nine *_actions_secret actions to ci.secret_change with the secret name as target', async () => {
    const records = ndjson(FIXTURE).filter((x) => String(x.action).endsWith('_actions_secret'));
    expect(new Set(records.map((x) => x.action)).size).toBe(9);
    const r = await storeWith([FIXTURE]);
    store = r.store;
    const rows = await store.all<{ native_action: string; target: string; target_type: string; repo: string | null; details: string }>(
      "SELECT native_action, target, target_type, repo, details FROM events WHERE action = 'ci.secret_change' ORDER BY ts",
    );
    expect(rows.map((x) => [x.native_action, x.target])).toEqual(records.map((x) => [x.action, x.key]));
    for (const row of rows) {
      const scope = row.native_action.split('.')[0];
      expect(row.target_type).toBe('ci_secret');
      expect(JSON.parse(row.details)).toMatchObject({ scope });
      expect(row.repo).toBe(scope === 'org' ? null : 'acme-corp/ledger');
    }
  });

  it('records every job that was handed a secret, as a ci.job event and a ci_runs job row', async () => {
    const prepared = ndjson(FIXTURE).filter((x) => x.action === 'workflows.prepared_workflow_job');
    const r = await storeWith([FIXTURE]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ records: 22, inserted: 22, rejected: 0 });
    const events = await store.all<{ run_id: string; target: string; secrets: string[]; workflow: string }>(
      "SELECT run_id, target, secrets, workflow FROM events WHERE action = 'ci.job' ORDER BY ts",
    );
    expect(events.map((e) => [e.run_id, e.target, e.secrets])).toEqual(
      prepared.map((x) => [String(x.workflow_run_id), x.job_name, x.secrets_passed]),
    );
    expect(events.every((e) => !e.workflow.includes('@'))).toBe(true);
    const jobs = await store.all<{ run_id: string; attempt: number | null; job_name: string; secrets_passed: string[]; runner_type: string; runner_name: string | null }>(
      "SELECT run_id, attempt, job_name, secrets_passed, runner_type, runner_name FROM ci_runs WHERE level = 'job' ORDER BY started_at",
    );
    expect(jobs).toEqual([
      { run_id: '13578811442', attempt: 1, job_name: 'lint', secrets_passed: ['COSIGN_PRIVATE_KEY'], runner_type: 'self-hosted', runner_name: 'build-07' },
      { run_id: '13579246801', attempt: 1, job_name: 'build', secrets_passed: [], runner_type: 'hosted', runner_name: null },
      { run_id: '13579246801', attempt: 1, job_name: 'sign-and-publish', secrets_passed: ['COSIGN_PASSWORD', 'COSIGN_PRIVATE_KEY', 'RELEASE_NPM_TOKEN'], runner_type: 'hosted', runner_name: null },
      { run_id: '13579246801', attempt: 2, job_name: 'sign-and-publish', secrets_passed: ['COSIGN_PASSWORD', 'COSIGN_PRIVATE_KEY', 'RELEASE_NPM_TOKEN'], runner_type: 'hosted', runner_name: null },
    ]);
  });

  it('places each attempt-less job in the run attempt whose time window holds it', async () => {
    const r = await storeWith([FIXTURE]);
    store = r.store;
    const runs = await store.all<{ ci_uid: string; conclusion: string; actor: string; triggering_actor: string }>(
      "SELECT ci_uid, conclusion, actor, triggering_actor FROM ci_runs WHERE level = 'run' AND run_id = '13579246801' ORDER BY attempt",
    );
    expect(runs).toEqual([
      { ci_uid: 'github:13579246801:1', conclusion: 'failure', actor: 'dkowalski', triggering_actor: 'dkowalski' },
      { ci_uid: 'github:13579246801:2', conclusion: 'success', actor: 'mleroux', triggering_actor: 'mleroux' },
    ]);
    const uids = await store.all<{ ci_uid: string }>("SELECT ci_uid FROM ci_runs WHERE job_name = 'sign-and-publish' ORDER BY ci_uid");
    expect(uids.map((x) => x.ci_uid)).toEqual([
      'github:13579246801:1:job:name:sign-and-publish',
      'github:13579246801:2:job:name:sign-and-publish',
    ]);
  });

  it('keeps a job whose attempt cannot be told apart on its own, attempt unknown', async () => {
    // Only the job entries: no run attempt windows, no other job of that name to compare with.
    const jobs = ndjson(FIXTURE).filter((x) => x.action === 'workflows.prepared_workflow_job' && x.job_name === 'sign-and-publish');
    const r = await storeWith([fixtureDir({ 'jobs.ndjson': toNdjson(jobs) })]);
    store = r.store;
    const rows = await store.all<{ ci_uid: string; attempt: number | null }>("SELECT ci_uid, attempt FROM ci_runs ORDER BY ci_uid");
    expect(rows).toHaveLength(2);
    expect(rows.every((x) => x.attempt === null && /^github:13579246801:\?:job:name:sign-and-publish@\d+$/.test(x.ci_uid))).toBe(true);
  });

  it('stores a Panther copy of the same entries as duplicates, not as new events or runs', async () => {
    const records = ndjson(FIXTURE);
    const panther = fixtureDir({ 'copy.panther.ndjson': toNdjson(records.map(pantherCopy)) });
    const r = await storeWith([FIXTURE, panther]);
    store = r.store;
    expect(r.files[1]).toMatchObject({ adapter: 'github-audit', records: records.length, inserted: 0, duplicates: records.length, rejected: 0 });
    const n = await store.one<{ events: number; runs: number }>('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM ci_runs) AS runs');
    expect(n).toEqual({ events: records.length, runs: 7 });
  });

  it('rejects an entry without an action, and a broken line, with their line numbers', async () => {
    const good = ndjson(FIXTURE).slice(0, 2);
    const text = [JSON.stringify(good[0]), '{"actor":"x","@timestamp":1741600000000}', '{"action":"org.create_actions_secret",', JSON.stringify(good[1])].join('\n');
    const r = await storeWith([fixtureDir({ 'bad.ndjson': text })]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'github-audit', records: 4, inserted: 2, rejected: 2 });
    const rej = await store.all<{ line_no: number; reason: string }>('SELECT line_no, reason FROM rejects ORDER BY line_no');
    expect(rej).toEqual([
      { line_no: 2, reason: 'not a GitHub audit-log record: no action' },
      { line_no: 3, reason: 'malformed JSON' },
    ]);
  });
});
