/**
 * in-toto Statements carried in DSSE envelopes (SLSA provenance, npm publish attestations, cosign
 * attestations): the artefacts they are about (`subject[]`) and what they claim (`predicateType`).
 *
 * The payload is attacker-controlled: only string names and string digests are kept, and the
 * subject list is capped so that one envelope cannot blow up a row.
 */
import { digestString, hashName } from './bytes.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const MAX_SUBJECTS = 10_000;

export interface Subject {
  name: string | null;
  digest: Record<string, string>;
}

export interface Statement {
  subjects: Subject[];
  predicateType: string | null;
}

/** The statement in a DSSE payload, or null when it is not an in-toto statement. */
export function parseStatement(payloadType: string, payload: Buffer): Statement | null {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const { subject, predicateType } = doc as { subject?: unknown; predicateType?: unknown };
  const subjects = (Array.isArray(subject) ? subject : []).slice(0, MAX_SUBJECTS).flatMap((s: unknown): Subject[] => {
    if (typeof s !== 'object' || s === null) return [];
    const { name, digest } = s as { name?: unknown; digest?: unknown };
    const d: Record<string, string> = {};
    if (typeof digest === 'object' && digest !== null) {
      for (const [alg, v] of Object.entries(digest as Record<string, unknown>)) if (typeof v === 'string') d[alg] = v.toLowerCase();
    }
    return [{ name: typeof name === 'string' ? name : null, digest: d }];
  });
  return { subjects, predicateType: typeof predicateType === 'string' ? predicateType : null };
}

/** A subject's digest as `<alg>:<hex>`, preferring SHA-256, then SHA-512, then any other. */
export function subjectDigest(s: Subject): string | null {
  const entries = Object.entries(s.digest);
  for (const want of ['sha256', 'sha512', 'sha384']) {
    const hit = entries.find(([alg]) => hashName(alg) === want);
    if (hit) return digestString(want, hit[1]);
  }
  const first = entries[0];
  return first ? digestString(first[0].toLowerCase(), first[1]) : null;
}
