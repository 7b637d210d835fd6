import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { jsonFile, ndjson, toNdjson } from '../helpers/records.js';
import { fixtureDir, realdata } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

type Rec = Record<string, unknown>;
type Run = Record<string, unknown> & { id: number; run_attempt: number; head_sha: string; head_branch: string; event: string; conclusion: string; run_started_at: string; updated_at: string };
const HOOKS = realdata('github', 'webhooks_actions');
const hook = (name: string): Rec => jsonFile<Rec>(path.join(HOOKS, `octokit_${name}.payload.json`));

/** The same run as the audit log records its completion (fields per GitHub's audit-log field list). */
function auditCompletion(run: Run, extra: Rec = {}): Rec {
  const completed = Date.parse('2020-10-05T16:35:02.000Z');
  return {
    '@timestamp': completed, _document_id: 'hT2mQ9xLr0cV4bN8kP1sWg', action: 'workflows.completed_workflow_run',
    actor: 'Codertocat', actor_id: 21031067, user_agent: 'GitHub-Hookshot/f1aa6b1', created_at: completed,
    started_at: run.run_started_at, event: run.event, name: 'Test', workflow_run_id: run.id, head_branch: run.head_branch,
    head_sha: run.head_sha, completed_at: '2020-10-05T16:35:01.000Z', conclusion: run.conclusion, run_number: 163,
    workflow_id: 2823525, repo: 'octo-org/octo-repo', repo_id: 186853002, org: 'octo-org', org_id: 6811672,
    operation_type: 'modify', trigger_id: 1291536064, run_attempt: run.run_attempt, actor_is_bot: false, ...extra,
  };
}

describe('github-actions adapter on the real webhook payloads', () => {
  it('reads every octokit payload file, with exact counts and explained rejects', async () => {
    const r = await storeWith([HOOKS]);
    store = r.store;
    const byName = Object.fromEntries(r.files.map((f) => [path.basename(f.path), f]));
    expect(Object.keys(byName)).toHaveLength(fs.readdirSync(HOOKS).length);
    for (const f of r.files) {
      expect(f.adapter).toBe('github-actions');
      expect(f.records).toBe(1);
      expect(f.inserted + f.duplicates + f.rejected).toBe(1);
    }
    // The dispatch delivery names no time: GitHub sends that in an HTTP header, not in the payload.
    expect(byName['octokit_workflow_dispatch_payload.json']).toMatchObject({ rejected: 1 });
    const rej = await store.one<{ reason: string }>('SELECT reason FROM rejects');
    expect(rej!.reason).toMatch(/workflow_dispatch delivery has no time/);
    // Two deliveries of one completed run (with and without pull requests) are one event.
    expect(byName['octokit_workflow_run_completed.with-pull-requests.payload.json']).toMatchObject({ duplicates: 1 });
    const pkg = await store.one<{ action: string; target: string; target_version: string; actor: string }>(
      "SELECT action, target, target_version, actor FROM events WHERE target_type = 'package'",
    );
    expect(pkg).toEqual({ action: 'release.publish', target: 'Codertocat/hello-world-npm', target_version: '1.0.0', actor: 'Codertocat' });
  });

  it('enriches one ci_runs row from the requested and completed deliveries of a run', async () => {
    const completed = hook('workflow_run_completed').workflow_run as Run;
    const r = await storeWith([HOOKS]);
    store = r.store;
    const runs = await store.all("SELECT * EXCLUDE (file_id, record_no) FROM ci_runs WHERE level = 'run'");
    expect(runs).toEqual([{
      ci_uid: `github:${completed.id}:1`, level: 'run', provider: 'github', run_id: String(completed.id), attempt: 1,
      job_id: null, job_name: null, repo: 'octo-org/octo-repo', workflow: 'octo-org/octo-repo/.github/workflows/test.yml',
      workflow_ref: null, trigger_event: 'repository_dispatch', ref: 'master', head_sha: completed.head_sha,
      actor: 'Codertocat', triggering_actor: 'Codertocat', runner_name: null, runner_labels: null, runner_type: null,
      started_at: '2020-10-05T16:33:49Z', completed_at: '2020-10-05T16:33:49Z', conclusion: 'success',
      secrets_passed: null, sources: ['github.actions/webhook'],
    }]);
    const jobs = await store.all<{ job_id: string; runner_type: string; runner_labels: string[] }>(
      "SELECT job_id, runner_type, runner_labels FROM ci_runs WHERE level = 'job' ORDER BY job_id",
    );
    expect(jobs).toEqual([
      { job_id: '12877621891', runner_type: 'self-hosted', runner_labels: ['self-hosted', 'k8s'] },
      { job_id: '289782451', runner_type: 'hosted', runner_labels: ['ubuntu-latest'] },
    ]);
  });

  it('accounts for every Panther webhook record; deliveries other than runs and jobs are rejected by kind', async () => {
    const p = realdata('github', 'panther_GitHub_Webhook.panther.ndjson');
    const records = ndjson(p);
    const some = (o: Rec, keys: string[]): boolean => keys.some((k) => o[k] !== undefined && o[k] !== null);
    const usable = records.filter((x) => {
      const run = x.workflow_run as Rec | undefined;
      const job = x.workflow_job as Rec | undefined;
      if (run) return run.id !== undefined && some(run, ['created_at', 'updated_at', 'run_started_at']);
      if (job) return job.id !== undefined && job.run_id !== undefined && some(job, ['created_at', 'started_at', 'completed_at']);
      return false;
    });
    const identities = new Set(usable.map((x) => {
      const o = (x.workflow_run ?? x.workflow_job) as Rec;
      return `${x.workflow_run ? 'run' : 'job'}:${String(o.id)}:${String(o.status ?? x.action)}`;
    }));
    const r = await storeWith([p]);
    store = r.store;
    expect(r.files[0]).toMatchObject({
      adapter: 'github-actions', records: records.length, rejected: records.length - usable.length,
      inserted: identities.size, duplicates: usable.length - identities.size,
    });
    const unmapped = records.filter((x) => !x.workflow_run && !x.workflow_job).length;
    const n = await store.one<{ n: number }>("SELECT count(*) AS n FROM rejects WHERE reason LIKE 'GitHub webhook delivery not mapped%'");
    expect(n!.n).toBe(unmapped);
    const reasons = await store.all<{ reason: string }>("SELECT DISTINCT reason FROM rejects WHERE reason NOT LIKE 'GitHub webhook delivery not mapped%' ORDER BY 1");
    expect(reasons.map((x) => x.reason)).toEqual([
      'no usable time in the job (created_at / started_at / updated_at)',
      'no usable time in the run (created_at / started_at / updated_at)',
      'workflow_job without run_id cannot be tied to its run',
    ]);
  });
});

describe('one run seen through the audit log, the REST API and a webhook', () => {
  const run = hook('workflow_run_completed').workflow_run as Run;
  const requested = hook('workflow_run_requested');
  const restList = { total_count: 1, workflow_runs: [run] };

  it('is one ci_runs row, enriched by each shape, whatever the order of ingestion', async () => {
    const audit = auditCompletion(run);
    const files = {
      'audit.ndjson': toNdjson([audit]),
      'runs.json': JSON.stringify(restList, null, 2),
      'hook.json': JSON.stringify(requested, null, 2),
    };
    const rows: Rec[] = [];
    for (const order of [['audit.ndjson', 'runs.json', 'hook.json'], ['hook.json', 'runs.json', 'audit.ndjson']]) {
      const dir = fixtureDir(files);
      const r = await storeWith(order.map((f) => path.join(dir, f)));
      expect(r.files.map((f) => f.adapter)).toEqual(order.map((f) => (f === 'audit.ndjson' ? 'github-audit' : 'github-actions')));
      rows.push(...await r.store.all('SELECT * EXCLUDE (file_id, record_no) FROM ci_runs'));
      r.store.close();
    }
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(rows[1]);
    expect(rows[0]).toMatchObject({
      ci_uid: `github:${run.id}:1`, run_id: String(run.id), attempt: 1,
      workflow: 'octo-org/octo-repo/.github/workflows/test.yml', // only the REST and webhook objects name the file
      conclusion: 'success', head_sha: run.head_sha, actor: 'Codertocat',
      started_at: '2020-10-05T16:33:49Z',
      completed_at: '2020-10-05T16:33:49Z', // earliest report: REST updated_at, before the audit entry's 16:35:01
      sources: ['github.actions/rest', 'github.actions/webhook', 'github.audit'],
    });
  });

  it('folds an audit-log job (secrets, no attempt, no job id) into the REST job of its attempt', async () => {
    const jobHook = hook('workflow_job_completed.success.with-organization');
    const job = jobHook.workflow_job as Rec & { id: number; run_id: number; started_at: string; name: string };
    const prepared = {
      '@timestamp': Date.parse(job.started_at) - 2000, _document_id: 'pQ7cW2mR9tY4vB1nX8zL0g', action: 'workflows.prepared_workflow_job',
      repo: 'Codertocat/Hello-World', repo_id: 186853002, org: 'Octocoders', org_id: 38302899, workflow_run_id: job.run_id,
      job_name: job.name, runner_labels: ['ubuntu-latest'], is_hosted_runner: true, environment_name: '',
      secrets_passed: ['SONAR_TOKEN'], operation_type: 'create', created_at: Date.parse(job.started_at) - 2000,
      job_workflow_ref: 'Codertocat/Hello-World/.github/workflows/codeql.yml@refs/heads/main',
      calling_workflow_refs: [], calling_workflow_shas: [],
    };
    const jobsPage = { total_count: 1, jobs: [job] };
    const dir = fixtureDir({ 'audit.ndjson': toNdjson([prepared]), 'jobs.json': JSON.stringify(jobsPage) });
    const r = await storeWith([path.join(dir, 'audit.ndjson'), path.join(dir, 'jobs.json')]);
    store = r.store;
    const rows = await store.all("SELECT ci_uid, attempt, job_id, job_name, workflow, secrets_passed, runner_name, runner_type, sources FROM ci_runs");
    expect(rows).toEqual([{
      ci_uid: `github:${job.run_id}:1:job:${job.id}`, attempt: 1, job_id: String(job.id), job_name: job.name,
      workflow: 'Codertocat/Hello-World/.github/workflows/codeql.yml', secrets_passed: ['SONAR_TOKEN'],
      runner_name: 'GitHub Actions 5', runner_type: 'hosted', sources: ['github.actions/rest', 'github.audit'],
    }]);
  });
});

describe('tracing a signature to its CI run', () => {
  it('joins a Fulcio run invocation URI to its ci_runs row on run_id and attempt', async () => {
    const run = hook('workflow_run_completed').workflow_run as Run;
    const r = await storeWith([HOOKS]);
    store = r.store;
    const uri = `https://github.com/octo-org/octo-repo/actions/runs/${run.id}/attempts/1`;
    await store.run(
      `INSERT INTO signatures (entry_uuid, kind, tlog_verified, run_invocation_uri, file_id, record_no)
       VALUES ('24296fb24b8ad77a3d1e7a9c1a0c4b4e2a1f5e8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e', 'hashedrekord', 'unverified', $1, 0, 1)`,
      [uri],
    );
    const traced = await store.all<{ entry_uuid: string; ci_uid: string; workflow: string; conclusion: string }>(
      `SELECT s.entry_uuid, c.ci_uid, c.workflow, c.conclusion
       FROM signatures s
       JOIN ci_runs c
         ON c.level = 'run'
        AND c.run_id = regexp_extract(s.run_invocation_uri, '/actions/runs/([0-9]+)/attempts/[0-9]+$', 1)
        AND c.attempt = CAST(regexp_extract(s.run_invocation_uri, '/attempts/([0-9]+)$', 1) AS INTEGER)`,
    );
    expect(traced).toHaveLength(1);
    expect(traced[0]).toMatchObject({ ci_uid: `github:${run.id}:1`, workflow: 'octo-org/octo-repo/.github/workflows/test.yml', conclusion: 'success' });
  });
});
