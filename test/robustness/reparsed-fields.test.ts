/**
 * Fields that a mapping parses a second time: GitHub's legacy `data{}`, list fields such as
 * `secrets_passed`, a webhook's `workflow_run` object, GitLab's `runner.tags`. Their text starts
 * with `{` or `[` when they hold an object or a list — and also when an attacker-influenced string
 * merely begins that way. Such a string once made DuckDB's json() fail the whole file's statement,
 * losing every record of the file; it must cost at most its own record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { fixtureDir, realdata, ROOT } from '../helpers/paths.js';
import { expectFileAccounted, expectLinesCovered } from './helpers/accounting.js';
import { setAt, type Json, type JsonPath } from './helpers/json-tree.js';

let store: Store | undefined;
afterEach(() => store?.close());

function firstWith(file: string, key: string): { [k: string]: Json } {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as { [k: string]: Json };
  } catch {
    return JSON.parse(text.split('\n').find((l) => l.includes(`"${key}"`))!) as { [k: string]: Json };
  }
}

const CASES: { adapter: string; record: () => { [k: string]: Json }; path: JsonPath }[] = [
  { adapter: 'github-audit', record: () => firstWith(realdata('github', 'elastic', 'elastic_github_audit_org.excerpt.ndjson'), 'data'), path: ['data'] },
  { adapter: 'github-audit', record: () => firstWith(realdata('github', 'elastic', 'elastic_github_audit_org.excerpt.ndjson'), '_document_id'), path: ['secrets_passed'] },
  { adapter: 'github-actions', record: () => firstWith(realdata('github', 'webhooks_actions', 'octokit_workflow_run_completed.payload.json'), 'workflow_run'), path: ['workflow_run'] },
  { adapter: 'github-actions', record: () => firstWith(realdata('github', 'webhooks_actions', 'octokit_workflow_job_completed.success.with-organization.payload.json'), 'workflow_job'), path: ['workflow_job', 'labels'] },
  { adapter: 'gitlab-audit', record: () => firstWith(path.join(ROOT, 'test', 'fixtures', 'gitlab', 'ci-hooks.ndjson'), 'tags'), path: ['runner', 'tags'] },
];

const LOOKS_LIKE_JSON = ['{oops', '[1, 2', '{"a": ', '[', '{', '{}', '[]', '["x"]'];

describe.each(CASES)('$adapter: $path as a string that starts like JSON', ({ adapter, record, path: p }) => {
  it('costs at most its own record, never the file', async () => {
    const good = record();
    const lines = [JSON.stringify(good), ...LOOKS_LIKE_JSON.map((v) => JSON.stringify(setAt(good, p, v))), JSON.stringify(good)];
    const dir = fixtureDir({ 'f.ndjson': lines.join('\n') + '\n' });
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    const f = r.files[0];
    expect(f.adapter).toBe(adapter);
    const { fileId } = await expectFileAccounted(store, f);
    expect(f.records).toBeGreaterThanOrEqual(lines.length);
    await expectLinesCovered(store, fileId, lines.length, f);
  });
});
