import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { jsonFile, ndjson, toNdjson } from '../helpers/records.js';
import { fixtureDir, realdata, ROOT } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

type Rec = Record<string, unknown>;
const FIXTURES = path.join(ROOT, 'test/fixtures/gitlab');
const fixture = (name: string): string => path.join(FIXTURES, name);

describe('gitlab-audit adapter on the real records', () => {
  it('reads audit_json.log lines, dotted "meta.*" keys included', async () => {
    const p = realdata('gitlab', 'elastic_gitlab_audit_test-audit.log');
    const lines = ndjson(p);
    const r = await storeWith([p]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'gitlab-audit', records: lines.length, inserted: lines.length, rejected: 0 });
    const login = await store.one("SELECT action, native_action, actor, source_ip, ts FROM events WHERE record_no = 1");
    expect(login).toEqual({
      action: 'auth.login', native_action: 'login:standard', actor: lines[0]['meta.user'],
      source_ip: lines[0]['meta.remote_ip'], ts: '2024-05-10T17:46:49.058Z',
    });
    // The 2018 line has no meta keys and no event name: its change is the native action.
    const old = await store.one("SELECT action, native_action, actor, repo, target FROM events WHERE record_no = 2");
    expect(old).toEqual({ action: 'other', native_action: 'change:visibility', actor: 'John Doe4', repo: 'namespace2/project2', target: 'namespace2/project2' });
  });

  it.each(['panther_GitLab_Audit.panther.ndjson', 'panther_GitLab_Production.panther.ndjson'])(
    'accounts for every record of %s (fragments without a time are rejected, with their line)',
    async (name) => {
      const p = realdata('gitlab', name);
      const records = ndjson(p);
      const r = await storeWith([p]);
      store = r.store;
      const timed = records.filter((x) => x.time ?? x.created_at).length;
      expect(r.files[0]).toMatchObject({ adapter: 'gitlab-audit', records: records.length, rejected: records.length - timed });
      expect(r.files[0].inserted + r.files[0].duplicates).toBe(timed);
      const rej = await store.all<{ reason: string; line_no: number }>('SELECT reason, line_no FROM rejects ORDER BY line_no');
      expect(rej.map((x) => x.line_no)).toEqual(records.map((_, i) => i + 1));
      expect(rej.every((x) => x.reason.startsWith('missing or unparseable time'))).toBe(true);
    },
  );
});

describe('gitlab-audit adapter on REST, streaming and log-file audit events', () => {
  it('maps CI/CD variable changes to ci.secret_change with the variable key as target', async () => {
    const rest = jsonFile<Rec[]>(fixture('group-audit-events.json'));
    const r = await storeWith([fixture('group-audit-events.json')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'gitlab-audit', records: rest.length, inserted: rest.length, rejected: 0 });
    const rows = await store.all<{ native_action: string; action: string; target: string; repo: string | null; actor: string; source_ip: string }>(
      'SELECT native_action, action, target, repo, actor, source_ip FROM events ORDER BY ts',
    );
    expect(rows.map((x) => [x.native_action, x.action, x.target])).toEqual([
      ['ci_variable_created', 'ci.secret_change', 'COSIGN_PRIVATE_KEY'],
      ['ci_group_variable_created', 'ci.secret_change', 'COSIGN_PASSWORD'],
      ['ci_variable_updated', 'ci.secret_change', 'COSIGN_PRIVATE_KEY'],
      ['project_access_token_created', 'credential.create', 'project_2817_bot_4f1c'],
      ['ci_variable_deleted', 'ci.secret_change', 'COSIGN_PRIVATE_KEY'],
    ]);
    expect(rows[0]).toMatchObject({ repo: 'acme/ledger', actor: 'Maya Leroux', source_ip: '203.0.113.24' });
    expect(rows[1].repo).toBeNull(); // a group variable belongs to no single project
    const details = await store.one<{ details: string }>("SELECT details FROM events WHERE native_action = 'ci_variable_updated'");
    expect(JSON.parse(details!.details)).toMatchObject({ change: 'variable protection', from: 'true', to: 'false', audit_event_id: '88390' });
  });

  it('stores an event once whether it arrives by REST, by streaming or in audit_json.log', async () => {
    const files = ['audit-stream.ndjson', 'audit_json.log', 'group-audit-events.json'].map(fixture);
    const r = await storeWith(files);
    store = r.store;
    expect(r.files.map((f) => [f.records, f.inserted, f.duplicates])).toEqual([[3, 3, 0], [3, 2, 1], [5, 2, 3]]);
    const updates = await store.all<{ actor: string; source_ip: string }>("SELECT actor, source_ip FROM events WHERE native_action = 'ci_variable_updated'");
    expect(updates).toEqual([{ actor: 'Jay Patel', source_ip: '192.0.2.191' }]);
    // A git operation's custom_message is an object; it is kept, as JSON text, in details.
    const git = await store.one<{ details: string }>("SELECT details FROM events WHERE native_action = 'repository_git_operation'");
    expect(JSON.parse((JSON.parse(git!.details) as { custom_message: string }).custom_message)).toEqual({ protocol: 'http', action: 'git-upload-pack' });
  });
});

describe('gitlab-audit adapter on production_json.log request lines', () => {
  it('maps sign-ins and CI/CD variable requests, refused ones as denied, and dedupes a Panther copy', async () => {
    const lines = ndjson(fixture('production_json.log'));
    // A data-lake copy: Panther keys added and the keys in another order.
    const copy = lines.map((l) => ({ p_log_type: 'GitLab.Production', ...Object.fromEntries(Object.entries(l).reverse()) }));
    const dir = fixtureDir({ 'copy.panther.ndjson': toNdjson(copy) });
    const r = await storeWith([fixture('production_json.log'), dir]);
    store = r.store;
    expect(r.files.map((f) => [f.adapter, f.records, f.inserted, f.duplicates, f.rejected])).toEqual([
      ['gitlab-audit', 3, 3, 0, 0], ['gitlab-audit', 3, 0, 3, 0],
    ]);
    const rows = await store.all('SELECT action, native_action, outcome, error_code, actor, source_ip, target FROM events ORDER BY ts');
    expect(rows).toEqual([
      { action: 'auth.login', native_action: 'SessionsController#create', outcome: 'success', error_code: null, actor: 'jpatel', source_ip: '192.0.2.191', target: '/users/sign_in' },
      // The variable key comes from the request params (GitLab filters the value).
      { action: 'ci.secret_change', native_action: 'Projects::VariablesController#update', outcome: 'success', error_code: null, actor: 'jpatel', source_ip: '192.0.2.191', target: 'COSIGN_PRIVATE_KEY' },
      { action: 'ci.secret_change', native_action: 'Projects::VariablesController#update', outcome: 'denied', error_code: '403', actor: 'qa-bot', source_ip: '198.51.100.201', target: 'COSIGN_PRIVATE_KEY' },
    ]);
  });
});

describe('gitlab-audit adapter on pipeline and job webhooks', () => {
  it('makes one run row and one row per job, the job webhook and the pipeline builds enriching the same row', async () => {
    const [jobHook, pipeline] = ndjson(fixture('ci-hooks.ndjson'));
    const r = await storeWith([fixture('ci-hooks.ndjson')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ records: 2, inserted: 2, rejected: 0 });
    const rows = await store.all(
      'SELECT ci_uid, level, run_id, job_id, job_name, repo, ref, head_sha, runner_name, runner_labels, started_at, completed_at, conclusion FROM ci_runs ORDER BY ci_uid',
    );
    const attrs = pipeline.object_attributes as Rec;
    expect(rows).toEqual([
      { ci_uid: 'gitlab:1188421', level: 'run', run_id: '1188421', job_id: null, job_name: null, repo: 'acme/ledger', ref: attrs.ref, head_sha: attrs.sha,
        runner_name: null, runner_labels: null, started_at: '2025-03-09T23:04:01Z', completed_at: '2025-03-09T23:06:33Z', conclusion: 'success' },
      { ci_uid: 'gitlab:1188421:job:55120930', level: 'job', run_id: '1188421', job_id: '55120930', job_name: 'build', repo: 'acme/ledger', ref: attrs.ref,
        head_sha: attrs.sha, runner_name: 'shared-docker-03', runner_labels: ['docker', 'linux'], started_at: '2025-03-09T23:04:05Z',
        completed_at: '2025-03-09T23:05:09Z', conclusion: 'success' },
      // Seen running in the job webhook and finished in the pipeline delivery.
      { ci_uid: 'gitlab:1188421:job:55120931', level: 'job', run_id: '1188421', job_id: String(jobHook.build_id), job_name: 'sign', repo: 'acme/ledger',
        ref: attrs.ref, head_sha: attrs.sha, runner_name: 'shared-docker-03', runner_labels: ['docker', 'linux'],
        started_at: '2025-03-09T23:05:14Z', completed_at: '2025-03-09T23:06:32Z', conclusion: 'success' },
    ]);
    const events = await store.all('SELECT action, native_action, run_id, actor FROM events ORDER BY ts');
    expect(events).toEqual([
      { action: 'ci.job', native_action: 'job.running', run_id: '1188421', actor: 'jpatel' },
      { action: 'ci.run', native_action: 'pipeline.success', run_id: '1188421', actor: 'jpatel' },
    ]);
  });
});
