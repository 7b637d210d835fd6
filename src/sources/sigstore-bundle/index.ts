import type { SourceAdapter } from '../types.js';
import { detect } from './detect.js';
import { loadBundles } from './load.js';

export const sigstoreBundle: SourceAdapter = {
  id: 'sigstore-bundle',
  title: 'Sigstore bundles',
  emits: ['signatures'],
  formats: [
    'Sigstore bundles v0.1, v0.2, v0.3 (both media-type spellings), .sigstore / .sigstore.json, one per file or NDJSON',
    'message-signature and DSSE (in-toto) bundles; certificate chain, single certificate or public key',
    'the bundle content is checked against its log entry; in-toto subjects come from the DSSE payload',
  ],
  detect,
  load: loadBundles,
};
