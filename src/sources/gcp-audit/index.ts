import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { MAPPING_SQL } from './map.js';

export const gcpAudit: SourceAdapter = {
  id: 'gcp-audit',
  title: 'GCP Cloud Audit Logs',
  emits: ['gcp.audit'],
  formats: [
    'LogEntry NDJSON (Logging sinks to Cloud Storage / Pub/Sub; activity, data_access, system_event, policy)',
    'gcloud logging read --format=json arrays, entries.list pages {"entries":[…]}',
    'Panther copies (lower-cased top-level keys)',
  ],
  stageOptions: { unwrap: ['entries'] },
  detect,
  async load(ctx) {
    await ctx.stage(this.stageOptions);
    await ctx.insertEvents(MAPPING_SQL);
  },
};
