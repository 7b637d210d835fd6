import type { Sample } from '../../ingest/sniff.js';

const SIGSTORE_MEDIA = /^application\/vnd\.dev\.sigstore\.(?:bundle|trustedroot)/;

/**
 * Sigstore bundles (any version; `.sigstore`, `.sigstore.json` or any other name) and trusted
 * roots, which are recognised so they can be rejected with a pointer to `--trusted-root`.
 */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
    const media = (r as Record<string, unknown>).mediaType;
    return typeof media === 'string' && SIGSTORE_MEDIA.test(media);
  }
  if (r !== undefined) return false;
  // A bundle larger than the head (big provenance payload): its media type comes first.
  return /^\s*\[?\s*\{\s*"mediaType"\s*:\s*"application\/vnd\.dev\.sigstore\.(?:bundle|trustedroot)/.test(sample.head.slice(0, 4096));
}
