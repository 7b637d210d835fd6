/**
 * Every input adapter, in detection order: more specific formats first, so a record that several
 * detectors could claim goes to the one that knows it best.
 */
import { awsCloudtrail } from './aws-cloudtrail/index.js';
import { gcpAudit } from './gcp-audit/index.js';
import { azure } from './azure/index.js';
import { vaultAudit } from './vault-audit/index.js';
import type { SourceAdapter } from './types.js';

export const ADAPTERS: readonly SourceAdapter[] = [awsCloudtrail, gcpAudit, azure, vaultAudit];

export function adapterById(id: string): SourceAdapter | undefined {
  return ADAPTERS.find((a) => a.id === id);
}
