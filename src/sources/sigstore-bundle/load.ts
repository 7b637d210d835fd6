/**
 * The JavaScript half of the bundle mapping: @sigstore/bundle parses and validates each bundle,
 * then every tlog entry it carries becomes a `signatures` row (shared mapping in sigstore/row.ts),
 * checked against the bundle's own content and verified offline.
 */
import { assertBundle, bundleFromJSON, ValidationError, type Bundle, type TransparencyLogEntry } from '@sigstore/bundle';
import { messageOf } from '../../errors.js';
import type { SignatureInput } from '../../ingest/signatures.js';
import { entryFromBundle } from '../../sigstore/entry.js';
import { signatureRow } from '../../sigstore/row.js';
import { TrustedLogs } from '../../sigstore/trusted-root.js';
import type { LoadContext } from '../types.js';
import { BUNDLE_SQL, type BundleRow } from './map.js';

function parseBundle(text: string): Bundle {
  try {
    const b = bundleFromJSON(JSON.parse(text) as unknown);
    assertBundle(b);
    return b;
  } catch (e) {
    if (e instanceof ValidationError) throw new Error(`invalid Sigstore bundle: ${e.fields.join(', ')} missing or empty`);
    throw new Error(`invalid Sigstore bundle: ${messageOf(e)}`);
  }
}

/** One classified record → one row per tlog entry, or a reject. */
export function mapBundleRow(r: BundleRow, trust: TrustedLogs): SignatureInput[] {
  const recordNo = Number(r.record_no);
  if (r.reject_reason || r.bundle === null) {
    return [{ record_no: recordNo, reject_reason: r.reject_reason ?? 'empty record', snippet: r.snippet }];
  }
  let bundle: Bundle;
  try {
    bundle = parseBundle(r.bundle);
  } catch (e) {
    return [{ record_no: recordNo, reject_reason: messageOf(e), snippet: r.bundle.slice(0, 200) }];
  }
  // assertBundle checked that every entry has a logId and kindVersion.
  const entries: TransparencyLogEntry[] = bundle.verificationMaterial.tlogEntries;
  if (entries.length === 0) {
    return [{
      record_no: recordNo,
      reject_reason: 'Sigstore bundle has no transparency-log entry (timestamp-authority only?): nothing to store in signatures',
      snippet: r.bundle.slice(0, 200),
    }];
  }
  return entries.map((tle, i) => {
    try {
      return signatureRow(entryFromBundle(tle), recordNo, trust, r.bundle, bundle);
    } catch (e) {
      return { record_no: recordNo, reject_reason: `bundle tlogEntries[${i}]: ${messageOf(e)}`, snippet: r.bundle!.slice(0, 200) };
    }
  });
}

/** Loads one file of Sigstore bundles (one JSON document, an array, or NDJSON). */
export async function loadBundles(ctx: LoadContext): Promise<void> {
  await ctx.stage();
  const trust = ctx.trustedLogs ?? TrustedLogs.shipped();
  // Bundles are a few KiB to a few hundred (large provenance payloads): small pages bound memory.
  for await (const page of ctx.stagedRows(BUNDLE_SQL, 200)) {
    await ctx.insertSignatures(page.flatMap((r) => mapBundleRow(r as unknown as BundleRow, trust)));
  }
}
