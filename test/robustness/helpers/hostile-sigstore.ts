/**
 * Transparency-log evidence whose every text-bearing field is hostile. The real records cannot carry
 * attacker text without breaking their signatures, so these are made like the real thing (test
 * Fulcio CA, test log, real ECDSA signatures): the certificate SAN and every Fulcio extension, the
 * in-toto subject names and the predicate type hold the hostile string. Rekor v1 responses and
 * bundles of the same entries go through both adapters.
 */
import {
  createFulcioCa, createTestLog, inTotoStatement, keylessSigner, signInToto, sigstoreBundle, transparencyLogEntry, v1ApiResponse,
  FULCIO_EXTENSION_ARCS, type FulcioExtensionName, type FulcioIdentity,
} from '../../fixtures/sigstore.js';

export interface HostileSigstore {
  /** NDJSON lines of Rekor v1 API responses, one per hostile string (same order). */
  rekorLines: string[];
  /** NDJSON lines of v0.3 bundles, one per hostile string. */
  bundleLines: string[];
  /** trusted_root.json documents naming the two test logs (for `--trusted-root`). */
  trustedRoots: Record<string, unknown>[];
  /** The SAN each certificate actually carries (a URI SAN cannot hold every string). */
  sans: string[];
}

/** The extension columns of `signatures` that hold Fulcio extension text verbatim. */
export const EXTENSION_COLUMNS = [
  'build_signer_uri', 'build_signer_digest', 'runner_environment', 'source_repository_uri', 'source_repository_digest',
  'source_repository_ref', 'source_repository_identifier', 'source_repository_owner_uri', 'source_repository_owner_identifier',
  'build_config_uri', 'build_config_digest', 'build_trigger', 'run_invocation_uri', 'source_repository_visibility',
  'deployment_environment', 'token_subject', 'oidc_issuer',
] as const;

export async function hostileSigstore(hostile: readonly string[]): Promise<HostileSigstore> {
  const ca = await createFulcioCa();
  // Two logs, so that the Rekor responses and the bundles are different entries (one log entry
  // seen through both would be stored once).
  const rekorLog = createTestLog({ origin: 'rekor.hostile.test - 1', indexOffset: 5_000 });
  const bundleLog = createTestLog({ origin: 'bundles.hostile.test - 2', indexOffset: 9_000 });
  const rekorLines: string[] = [];
  const bundleLines: string[] = [];
  const sans: string[] = [];
  for (const [i, h] of hostile.entries()) {
    const names = Object.keys(FULCIO_EXTENSION_ARCS).filter((n) => !n.startsWith('github_') && n !== 'issuer_v1') as FulcioExtensionName[];
    const extensions = Object.fromEntries(names.map((n) => [n, h])) as FulcioIdentity['extensions'];
    // A SAN is an IA5String: ASCII only. Hostile ASCII goes in as is; the rest in an e-mail local part is refused
    // by the certificate builder, so those keep a plain SAN and carry the text in the extensions only.
    const ascii = /^[\x20-\x7e]*$/.test(h);
    const san = ascii ? h : `hostile-${i}@example.com`;
    let signer;
    try {
      signer = await keylessSigner(ca, { san: { email: san }, extensions }, new Date(Date.UTC(2024, 4, 1, 12, i)));
      sans.push(san);
    } catch {
      signer = await keylessSigner(ca, { san: { email: `hostile-${i}@example.com` }, extensions }, new Date(Date.UTC(2024, 4, 1, 12, i)));
      sans.push(`hostile-${i}@example.com`);
    }
    const statement = inTotoStatement([{ name: h, digest: { sha256: i.toString(16).padStart(64, '0') } }], h);
    const signed = signInToto(signer, statement, 'dsse/0.0.1');
    rekorLines.push(JSON.stringify(v1ApiResponse(rekorLog, rekorLog.append(signed.body, 1_714_565_000 + i * 60))));
    const logged = bundleLog.append(signed.body, 1_714_565_000 + i * 60);
    bundleLines.push(JSON.stringify(sigstoreBundle({ version: '0.3', signer, signed, ca, tlogEntries: [transparencyLogEntry(bundleLog, logged)] })));
  }
  return { rekorLines, bundleLines, trustedRoots: [rekorLog.trustedRoot(ca), bundleLog.trustedRoot(ca)], sans };
}
