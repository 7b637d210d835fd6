/**
 * The JavaScript half of the Rekor mapping: each projected entry is decoded (body, X.509),
 * verified offline against the trusted log keys, and written to `signatures`.
 */
import { messageOf } from '../../errors.js';
import type { SignatureInput } from '../../ingest/signatures.js';
import { entryFromFields, type EntryFields } from '../../sigstore/entry.js';
import { signatureRow } from '../../sigstore/row.js';
import { TrustedLogs } from '../../sigstore/trusted-root.js';
import type { LoadContext } from '../types.js';
import { REKOR_SQL, type RekorRow } from './map.js';

function str(v: string | number | null | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** One projected row → a signatures row or a reject. */
export function mapRekorRow(r: RekorRow, trust: TrustedLogs): SignatureInput {
  const recordNo = Number(r.record_no);
  const reject = str(r.reject_reason);
  if (reject) return { record_no: recordNo, reject_reason: reject, snippet: str(r.snippet) };
  const fields: EntryFields = {
    uuid: str(r.uuid),
    body: str(r.body),
    integrated_time: str(r.integrated_time),
    log_id: str(r.log_id),
    log_index: str(r.log_index),
    kind: str(r.kind),
    kind_version: str(r.kind_version),
    set: str(r.set),
    proof_log_index: str(r.proof_log_index),
    proof_tree_size: str(r.proof_tree_size),
    proof_root: str(r.proof_root),
    proof_hashes: r.proof_hashes,
    checkpoint: str(r.checkpoint),
  };
  try {
    const entry = entryFromFields(fields, r.shape === 'v1' ? 'rekor.v1' : 'rekor.tle');
    return signatureRow(entry, recordNo, trust, r.raw);
  } catch (e) {
    const name = fields.uuid ? `Rekor entry ${fields.uuid.slice(-64, -48)}…` : `Rekor entry (log index ${fields.log_index?.slice(0, 40) ?? '?'})`;
    return { record_no: recordNo, reject_reason: `${name}: ${messageOf(e)}`, snippet: str(r.snippet) };
  }
}

/** Loads one Rekor file (see map.ts for the shapes it reads). */
export async function loadRekor(ctx: LoadContext): Promise<void> {
  await ctx.stage();
  const trust = ctx.trustedLogs ?? TrustedLogs.shipped();
  for await (const page of ctx.stagedRows(REKOR_SQL)) {
    await ctx.insertSignatures(page.map((r) => mapRekorRow(r as unknown as RekorRow, trust)));
  }
}
