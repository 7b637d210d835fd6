/**
 * Every input adapter, in detection order: more specific formats first, so a record that several
 * detectors could claim goes to the one that knows it best.
 */
import { awsCloudtrail } from './aws-cloudtrail/index.js';
import { githubActions } from './github-actions/index.js';
import { githubAudit } from './github-audit/index.js';
import { gitlabAudit } from './gitlab-audit/index.js';
import { gcpAudit } from './gcp-audit/index.js';
import { azure } from './azure/index.js';
import { vaultAudit } from './vault-audit/index.js';
import { rekor } from './rekor/index.js';
import { sigstoreBundle } from './sigstore-bundle/index.js';
import type { SourceAdapter } from './types.js';

export const ADAPTERS: readonly SourceAdapter[] = [
  awsCloudtrail, githubAudit, githubActions, gitlabAudit, gcpAudit, azure, vaultAudit, sigstoreBundle, rekor,
];

export function adapterById(id: string): SourceAdapter | undefined {
  return ADAPTERS.find((a) => a.id === id);
}
