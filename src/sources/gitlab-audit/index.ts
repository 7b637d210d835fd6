import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { CI_RUNS_SQL, EVENTS_SQL } from './map.js';

export const gitlabAudit: SourceAdapter = {
  id: 'gitlab-audit',
  title: 'GitLab audit events, production log and CI webhooks',
  emits: ['gitlab.audit', 'ci_runs'],
  formats: [
    'REST /audit_events and streaming audit events (details{}), JSON arrays or NDJSON',
    'self-managed audit_json.log and production_json.log lines (dotted keys such as "meta.remote_ip"), Panther copies',
    'pipeline and job webhook deliveries (object_kind pipeline / build) → ci_runs',
  ],
  detect,
  async load(ctx) {
    await ctx.stage();
    await ctx.insertEvents(EVENTS_SQL);
    await ctx.upsertCiRuns(CI_RUNS_SQL);
  },
};
