import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { MAPPING_SQL } from './map.js';

export const vaultAudit: SourceAdapter = {
  id: 'vault-audit',
  title: 'HashiCorp Vault audit device',
  emits: ['vault.audit'],
  formats: [
    'file / socket / syslog audit device JSON lines; request and response lines joined on request.id into one event',
  ],
  detect,
  async load(ctx) {
    // A response line folds into its request's event: it is counted as a merged record, not a row.
    await ctx.insertEvents(MAPPING_SQL, { mergedLines: true });
  },
};
