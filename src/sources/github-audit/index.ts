import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { CI_RUNS_SQL, EVENTS_SQL } from './map.js';

export const githubAudit: SourceAdapter = {
  id: 'github-audit',
  title: 'GitHub organisation / enterprise audit log',
  emits: ['github.audit', 'ci_runs'],
  formats: [
    'audit-log stream and REST API entries (@timestamp epoch ms, _document_id), NDJSON or JSON arrays',
    'legacy entries (created_at, data{}) and Panther copies (*.panther.ndjson: at_sign_timestamp, p_* keys)',
    'workflows.prepared_workflow_job (secrets_passed) and created/completed/rerun_workflow_run → ci_runs',
  ],
  detect,
  async load(ctx) {
    await ctx.stage();
    await ctx.insertEvents(EVENTS_SQL);
    await ctx.upsertCiRuns(CI_RUNS_SQL);
  },
};
