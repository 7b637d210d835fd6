import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { loadRekor } from './load.js';

export const rekor: SourceAdapter = {
  id: 'rekor',
  title: 'Sigstore Rekor log entries',
  emits: ['signatures'],
  formats: [
    'Rekor v1 API responses {"<uuid>": {body, integratedTime, logID, logIndex, verification}} (GET, /retrieve arrays, NDJSON)',
    'Rekor v2 / protobuf-JSON TransparencyLogEntry (canonicalizedBody, inclusionProof with checkpoint)',
    'kinds hashedrekord 0.0.1/0.0.2, intoto 0.0.1/0.0.2, dsse 0.0.1/0.0.2; other kinds kept with their raw body',
    'Rekor ProposedEntry submissions are recognised and rejected (requests, not log entries)',
  ],
  detect,
  load: loadRekor,
};
