import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { CI_RUNS_SQL, EVENTS_SQL } from './map.js';

export const githubActions: SourceAdapter = {
  id: 'github-actions',
  title: 'GitHub Actions runs and jobs (REST API, webhooks)',
  emits: ['github.actions', 'ci_runs'],
  formats: [
    'REST /actions/runs, /runs/{id}, /runs/{id}/jobs, /jobs/{id} responses (JSON or NDJSON)',
    'webhook workflow_run / workflow_job deliveries (also Panther copies) → ci_runs; package deliveries → release.publish',
  ],
  detect,
  async load(ctx) {
    await ctx.stage({ unwrap: ['workflow_runs', 'jobs'] });
    await ctx.insertEvents(EVENTS_SQL);
    await ctx.upsertCiRuns(CI_RUNS_SQL);
  },
};
