import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustedLogs, logsFromTrustedRoot } from '../../src/sigstore/trusted-root.js';
import type { Store } from '../../src/store/database.js';
import {
  BUNDLE_MEDIA_TYPES, createFulcioCa, createTestLog, emailIdentity, entryUuid, flipByte, githubWorkflowIdentity, inTotoStatement, keySigner,
  keylessSigner, signHashedrekord, signInToto, sigstoreBundle, spkiSha256, transparencyLogEntry, v1ApiResponse,
} from '../fixtures/sigstore.js';
import { fixtureDir, realdata } from '../helpers/paths.js';
import { storeWith as ingestWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

async function storeWith(paths: string[], trustedLogs?: TrustedLogs): ReturnType<typeof ingestWith> {
  const r = await ingestWith(paths, { trustedLogs });
  store = r.store;
  return r;
}

type Row = Record<string, string | number | null>;
const rows = (sql = 'SELECT * EXCLUDE (raw, body) FROM signatures ORDER BY file_id, record_no'): Promise<Row[]> => store!.all<Row>(sql);

interface BundleJson { mediaType: string; verificationMaterial: { tlogEntries: { canonicalizedBody: string; logId: { keyId: string } }[] } }

function realBundles(): string[] {
  return ['bundles', 'conformance'].flatMap((d) => fs.readdirSync(realdata('sigstore', d)).map((f) => realdata('sigstore', d, f)));
}

describe('sigstore-bundle adapter on every real bundle', () => {
  it.each(realBundles().map((p) => [path.basename(p), p]))('%s: one row per tlog entry', async (_name, p) => {
    const b = JSON.parse(fs.readFileSync(p, 'utf8')) as BundleJson;
    const r = await storeWith([p]);
    const n = b.verificationMaterial.tlogEntries.length;
    expect(r.files[0]).toMatchObject({ adapter: 'sigstore-bundle', status: 'loaded', records: n, inserted: n, rejected: 0 });
    const got = await rows();
    expect(got).toHaveLength(n);
    expect(got[0]).toMatchObject({ source: 'sigstore.bundle', log_id: Buffer.from(b.verificationMaterial.tlogEntries[0].logId.keyId, 'base64').toString('hex') });
    expect(got[0].signer_kind).toMatch(/^(cert|key)$/);
    expect(got[0].key_fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads all of them together: every happy bundle verified, both media-type spellings of v0.3', async () => {
    const all = realBundles();
    const r = await storeWith(all);
    expect(r.files.every((f) => f.adapter === 'sigstore-bundle' && f.rejected === 0)).toBe(true);
    const media = new Set(all.map((p) => (JSON.parse(fs.readFileSync(p, 'utf8')) as BundleJson).mediaType));
    expect(media).toEqual(new Set(Object.values(BUNDLE_MEDIA_TYPES)));
    // The sigstore-js fixtures repeat two log entries across v0.1/v0.2/v0.3: stored once each.
    const distinct = new Set(all.map((p) => (JSON.parse(fs.readFileSync(p, 'utf8')) as BundleJson).verificationMaterial.tlogEntries[0].canonicalizedBody));
    expect(await rows()).toHaveLength(distinct.size);
    expect(r.files.reduce((s, f) => s + f.duplicates, 0)).toBe(all.length - distinct.size);
    const verdicts = await store!.all<{ path: string; tlog_verified: string }>(
      'SELECT f.path, s.tlog_verified FROM signatures s JOIN files f USING (file_id) ORDER BY f.path',
    );
    for (const v of verdicts) expect(v.tlog_verified, v.path).toBe(v.path.endsWith('_fail.sigstore.json') ? 'failed' : 'verified');
  });

  it('fails the conformance bundles whose content does not match their log entry, saying what differs', async () => {
    await storeWith([
      realdata('sigstore', 'conformance', 'conf_intoto-log-entry-mismatch_fail.sigstore.json'),
      realdata('sigstore', 'conformance', 'conf_wrong-hashedrekord-artifact_fail.sigstore.json'),
    ]);
    const [intoto, hashed] = await rows();
    expect(intoto.tlog_reason).toMatch(/^bundle does not match its log entry: the DSSE envelope signature differs/);
    expect(hashed.tlog_reason).toMatch(/the bundle message digest differs from the digest in the log entry/);
  });

  it('reads the npm provenance of sigstore@2.0.0: repository, workflow ref, commit, run, subjects', async () => {
    await storeWith([realdata('sigstore', 'bundles', 'go_sigstore.js@2.0.0-provenance.sigstore.json')]);
    const [row] = await rows();
    expect(row).toMatchObject({
      kind: 'intoto', kind_version: '0.0.2', log_index: 31821305, tree_log_index: 27657874, integrated_time: '2023-08-18T16:05:35Z',
      signer_kind: 'cert', cert_serial: '7ddff914df3c117e1bc29edced0e59ace5e0470e',
      cert_not_before: '2023-08-18T16:05:35Z', cert_not_after: '2023-08-18T16:15:35Z',
      san: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
      oidc_issuer: 'https://token.actions.githubusercontent.com',
      source_repository_uri: 'https://github.com/sigstore/sigstore-js',
      source_repository_ref: 'refs/heads/main',
      source_repository_digest: 'f0b49a04e5a62250e0f60fb128004a73110fe311',
      build_config_uri: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
      build_trigger: 'push',
      runner_environment: 'github-hosted',
      source_repository_visibility: 'public',
      run_invocation_uri: 'https://github.com/sigstore/sigstore-js/actions/runs/5904696764/attempts/1',
      repo: 'sigstore/sigstore-js', workflow: 'sigstore/sigstore-js/.github/workflows/release.yml', ref: 'refs/heads/main',
      run_id: '5904696764', run_attempt: 1,
      predicate_type: 'https://slsa.dev/provenance/v1',
      artifact_digest: 'sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c',
      tlog_verified: 'verified',
    });
    const subjects = JSON.parse(String(row.subjects)) as { name: string; digest: Record<string, string> }[];
    expect(subjects.map((x) => [x.name, Object.keys(x.digest)])).toEqual([['pkg:npm/sigstore@2.0.0', ['sha512']]]);
    expect(`sha512:${subjects[0].digest.sha512}`).toBe(row.artifact_digest);
    expect(JSON.parse(String(row.fulcio_extensions))).toMatchObject({ github_workflow_name: 'Release', source_repository_identifier: '495574555' });
  });

  it('reads the npm registry publish attestation, signed by a key rather than a certificate', async () => {
    await storeWith([realdata('sigstore', 'bundles', 'go_examples_bundle-publish.json')]);
    const [row] = await rows();
    expect(row).toMatchObject({ signer_kind: 'key', san: null, cert_fingerprint: null, predicate_type: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1' });
  });

  it('recognises a trusted root and rejects it with a pointer to --trusted-root', async () => {
    const r = await storeWith([realdata('sigstore', 'trust')]);
    expect(r.files.map((f) => [f.adapter, f.records, f.rejected])).toEqual([['sigstore-bundle', 1, 1], ['sigstore-bundle', 1, 1]]);
    const [rej] = await store!.all<{ reason: string }>('SELECT reason FROM rejects');
    expect(rej.reason).toMatch(/trusted root is trust material, not log entries: pass it to `sigtrail ingest --trusted-root <file>`/);
  });
});

describe('sigstore-bundle adapter on generated bundles', async () => {
  const ca = await createFulcioCa();
  const log = createTestLog({ indexOffset: 1_000 });
  const trust = new TrustedLogs(logsFromTrustedRoot(log.trustedRoot(ca), 'test'));
  const keyless = await keylessSigner(ca, githubWorkflowIdentity({ repo: 'acme/ledger', workflow: 'release.yml', ref: 'refs/tags/v3.0.0', sha: 'e'.repeat(40), runId: '777', environment: 'release' }));
  const person = await keylessSigner(ca, emailIdentity('mallory@example.com'));
  const pair = keySigner();
  const statement = inTotoStatement([{ name: 'ledger-3.0.0.tgz', digest: { sha256: 'aa'.repeat(32) } }, { name: 'ledger-3.0.0.sbom.json', digest: { sha256: 'bb'.repeat(32) } }]);

  const cases = [
    { version: '0.1', signer: keyless, signed: signHashedrekord(keyless, Buffer.from('ledger 3.0.0')) },
    { version: '0.2', signer: keyless, signed: signInToto(keyless, statement, 'intoto/0.0.2') },
    { version: '0.3', signer: person, signed: signInToto(person, statement, 'dsse/0.0.1') },
    { version: '0.3-legacy', signer: pair, signed: signHashedrekord(pair, Buffer.from('ledger 3.0.1')) },
  ] as const;
  const logged = cases.map((c, i) => log.append(c.signed.body, 1_714_600_000 + i));
  const bundles = cases.map((c, i) => sigstoreBundle({ version: c.version, signer: c.signer, signed: c.signed, ca, tlogEntries: [transparencyLogEntry(log, logged[i], { proof: c.version !== '0.1' })] }));

  it('reads v0.1–v0.3 with a chain, a single certificate or a public key, message or DSSE content', async () => {
    const dir = fixtureDir(Object.fromEntries(bundles.map((b, i) => [`b${i}.sigstore.json`, JSON.stringify(b, null, 2)])));
    const r = await storeWith([dir], trust);
    expect(r.files.map((f) => [f.adapter, f.inserted])).toEqual([['sigstore-bundle', 1], ['sigstore-bundle', 1], ['sigstore-bundle', 1], ['sigstore-bundle', 1]]);
    const got = await rows();
    expect(got.map((x) => [x.kind, x.signer_kind, x.tlog_verified])).toEqual([
      ['hashedrekord', 'cert', 'verified'], ['intoto', 'cert', 'verified'], ['dsse', 'cert', 'verified'], ['hashedrekord', 'key', 'verified'],
    ]);
    expect(got[0]).toMatchObject({ repo: 'acme/ledger', run_id: '777', deployment_environment: 'release', token_subject: 'repo:acme/ledger:ref:refs/tags/v3.0.0', log_index: 1000 });
    expect(got[1].artifact_digest).toBe(`sha256:${'aa'.repeat(32)}`);
    expect(got[1].payload_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(String(got[2].subjects))).toHaveLength(2);
    expect(got[2]).toMatchObject({ san: 'mallory@example.com', repo: null });
    expect(got[3]).toMatchObject({ key_fingerprint: spkiSha256(pair.publicKeyDer), cert_fingerprint: null });
  });

  it('reads NDJSON of bundles', async () => {
    const r = await storeWith([fixtureDir({ 'all.ndjson': bundles.map((b) => JSON.stringify(b)).join('\n') })], trust);
    expect(r.files[0]).toMatchObject({ adapter: 'sigstore-bundle', records: 4, inserted: 4 });
  });

  it('stores an entry once across a v1 API response and a bundle, and the bundle adds subjects and the proof', async () => {
    // The v1 response carries neither proof nor SET (unverified); the bundle carries both.
    const dir = fixtureDir({
      'a-v1.json': JSON.stringify(v1ApiResponse(log, logged[1], { proof: false, set: false })),
      'b.sigstore.json': JSON.stringify(bundles[1]),
    });
    const r = await storeWith([dir], trust);
    expect(r.files.map((f) => [f.adapter, f.inserted, f.duplicates])).toEqual([['rekor', 1, 0], ['sigstore-bundle', 0, 1]]);
    const got = await rows();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ entry_uuid: entryUuid(log, logged[1]), source: 'rekor.v1', tlog_verified: 'verified', tree_log_index: 1 });
    expect(JSON.parse(String(got[0].subjects))).toHaveLength(2);
  });

  it('fails a bundle whose message digest was swapped for another artefact, and one whose proof was altered', async () => {
    const swapped = structuredClone(bundles[0]) as { messageSignature: { messageDigest: { digest: string } } };
    swapped.messageSignature.messageDigest.digest = flipByte(Buffer.from(swapped.messageSignature.messageDigest.digest, 'base64'), 0).toString('base64');
    const altered = structuredClone(bundles[1]) as { verificationMaterial: { tlogEntries: { inclusionProof: { hashes: string[] } }[] } };
    const h = altered.verificationMaterial.tlogEntries[0].inclusionProof.hashes;
    h[0] = flipByte(Buffer.from(h[0], 'base64'), 7).toString('base64');
    await storeWith([fixtureDir({ 'a.json': JSON.stringify(swapped), 'b.json': JSON.stringify(altered) })], trust);
    const [a, b] = await rows();
    expect(a.tlog_verified).toBe('failed');
    expect(a.tlog_reason).toMatch(/message digest differs .* \(log evidence: verified\)/);
    expect(b.tlog_verified).toBe('failed');
    expect(b.tlog_reason).toMatch(/inclusion proof does not hash to its root hash/);
  });

  it('rejects invalid bundles and bundles without a log entry, with a reason', async () => {
    const noEntries = structuredClone(bundles[0]) as { verificationMaterial: { tlogEntries: unknown[] } };
    noEntries.verificationMaterial.tlogEntries = [];
    const noContent = { mediaType: BUNDLE_MEDIA_TYPES['0.3'], verificationMaterial: { tlogEntries: [] } };
    const otherMedia = { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json'.replace('bundle', 'signingconfig') };
    const r = await storeWith([fixtureDir({ 'mixed.ndjson': [noEntries, noContent, otherMedia].map((x) => JSON.stringify(x)).join('\n') })], trust);
    expect(r.files[0]).toMatchObject({ adapter: 'sigstore-bundle', records: 3, rejected: 3 });
    const rej = await store!.all<{ reason: string }>('SELECT reason FROM rejects ORDER BY record_no');
    expect(rej).toHaveLength(3);
    expect(rej[0].reason).toMatch(/has no transparency-log entry/);
    expect(rej[1].reason).toMatch(/^invalid Sigstore bundle: content, verificationMaterial.content missing or empty/);
    expect(rej[2].reason).toMatch(/^not a Sigstore bundle: mediaType application\/vnd.dev.sigstore.signingconfig/);
  });
});
