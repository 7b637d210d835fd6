import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { MAPPING_SQL } from './map.js';

/**
 * One adapter for the Azure Monitor common schema: the three log families share their envelope and
 * are often exported together (one Event Hub, one storage account), so each record is routed to its
 * source by category and resource id rather than each file to an adapter.
 */
export const azure: SourceAdapter = {
  id: 'azure',
  title: 'Azure Key Vault, Activity Log and Entra ID',
  emits: ['azure.keyvault', 'azure.activity', 'azure.entra'],
  formats: [
    'Key Vault AuditEvent resource logs: storage blobs {"records":[…]}, Event Hub / NDJSON',
    'Activity Log: diagnostic export (operationName string) and REST API (operationName {value}; {"value":[…]} pages)',
    'Entra ID sign-in and audit logs in the same envelope; Panther copies (lower-cased keys)',
  ],
  stageOptions: { unwrap: ['records', 'value'] },
  detect,
  async load(ctx) {
    await ctx.stage(this.stageOptions);
    await ctx.insertEvents(MAPPING_SQL);
  },
};
