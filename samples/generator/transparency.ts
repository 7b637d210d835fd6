/**
 * The story's signatures, as a responder would collect them: Rekor v1 entries found by searching
 * the cosign public key (one NDJSON file, plus two entries fetched individually while looking at
 * the fake v1.4.6 / v1.4.7 artefacts), the build-provenance bundles attached to each release, the
 * bundle that came with the fake v1.4.6 tarball, and the demo trust root and cosign.pub.
 */
import { type EcKey, P256, P384, deriveKey, fingerprint, signHash, spkiPem, toDer } from './ecdsa.js';
import type { Rng } from './random.js';
import { TransparencyLog, type LoggedEntry } from './rekor.js';
import {
  type CertificateAuthority, type DsseEnvelope, type GitHubWorkflowIdentity, bundleTlogEntry, certificateDsseBundle, createCertificateAuthority,
  dsseRekorBody, hashedRekordBody, issueFulcioCertificate, pem, publicKeyMessageBundle, signDsse, trustedRoot, workflowSan,
} from './sigstore.js';
import { KEY_LABELS, OIDC_ISSUER, ORG, REKOR_EXPORT_TIME, REPO, plus, type Artifact, type Release, type Story } from './story.js';

export interface SignatureFact {
  /** S0–S4 for the attacker's, `<tag>/<artifact>` or `<tag>/provenance` for releases. */
  id: string;
  kind: 'hashedrekord' | 'dsse';
  signer: 'key' | 'cert';
  uuid: string;
  logIndex: number;
  integratedTime: number;
  /** sha256 hex of the artefact (hashedrekord) or of each in-toto subject (dsse). */
  digests: string[];
  release?: string;
  runId?: number;
  san?: string;
  attack?: string;
}

export interface TransparencyOutput {
  files: Map<string, string>;
  facts: SignatureFact[];
  cosignFingerprint: string;
}

interface Pending {
  time: Date;
  kind: 'hashedrekord' | 'dsse';
  body: Buffer;
  fact: Omit<SignatureFact, 'uuid' | 'logIndex' | 'integratedTime'>;
  /** Set for entries that ship as a bundle. */
  bundle?: (entry: Record<string, unknown>) => Record<string, unknown>;
  bundleName?: string;
}

const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** SLSA v1 provenance as `actions/attest-build-provenance` writes it for a tag-push workflow run. */
export function provenanceStatement(rel: Release): Buffer {
  const run = rel.run;
  return Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: rel.artifacts.filter((a) => a.name.endsWith('.tar.gz')).map((a) => ({ name: a.name, digest: { sha256: a.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: { workflow: { ref: run.ref, repository: `https://github.com/${REPO.name}`, path: run.workflowPath } },
        internalParameters: {
          github: { event_name: run.event, repository_id: String(REPO.id), repository_owner_id: String(ORG.id), runner_environment: 'github-hosted' },
        },
        resolvedDependencies: [{ uri: `git+https://github.com/${REPO.name}@${run.ref}`, digest: { gitCommit: run.headSha } }],
      },
      runDetails: {
        builder: { id: 'https://github.com/actions/runner/github-hosted' },
        metadata: { invocationId: `https://github.com/${REPO.name}/actions/runs/${run.runId}/attempts/${run.attempt}` },
      },
    },
  }));
}

function identityOf(rel: Release): GitHubWorkflowIdentity {
  const run = rel.run;
  return {
    issuer: OIDC_ISSUER, repository: REPO.name, repositoryId: REPO.id, ownerId: ORG.id, visibility: REPO.visibility,
    workflowPath: run.workflowPath, workflowName: run.workflowName, ref: run.ref, sha: run.headSha, event: run.event,
    runId: run.runId, attempt: run.attempt, runnerEnvironment: 'github-hosted',
  };
}

function keySignature(key: EcKey, artifact: Artifact): Buffer {
  // cosign sign-blob signs SHA-256(artifact); the digest is all the log (and this generator) has.
  return toDer(signHash(key, Buffer.from(artifact.sha256, 'hex')));
}

export async function buildTransparency(story: Story, rng: Rng): Promise<TransparencyOutput> {
  const cosign = deriveKey(P256, KEY_LABELS.cosign);
  const cosignPem = spkiPem(cosign);
  const logKey = deriveKey(P256, KEY_LABELS.rekorLog);
  const log = new TransparencyLog(
    { key: logKey, origin: 'rekor.demo.sigtrail.invalid', baseUrl: 'https://rekor.demo.sigtrail.invalid', treeId: 1193050959916656506n + 7n, shardOffset: 540_000_000 },
    rng.fork('log filler'),
  );
  const ca: CertificateAuthority = await createCertificateAuthority({
    rootKey: deriveKey(P384, KEY_LABELS.fulcioRoot),
    intermediateKey: deriveKey(P384, KEY_LABELS.fulcioIntermediate),
    organization: 'demo.sigtrail.invalid',
    rootName: 'fulcio-demo-root',
    intermediateName: 'fulcio-demo-intermediate',
    uri: 'https://fulcio.demo.sigtrail.invalid',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    rootSerial: '6a1f0e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3',
    intermediateSerial: '4b2e9f8d7c6b5a49382716f5e4d3c2b1a0f9e8d7',
  });

  const r = rng.fork('certificates');
  const pending: Pending[] = [];
  for (const rel of story.releases) {
    rel.artifacts.forEach((a, i) => {
      pending.push({
        time: rel.cosignTimes[i], kind: 'hashedrekord', body: hashedRekordBody(a.sha256, keySignature(cosign, a), cosignPem),
        fact: { id: `${rel.tag}/${a.name}`, kind: 'hashedrekord', signer: 'key', digests: [a.sha256], release: rel.tag, runId: rel.run.runId },
      });
    });
    // Keyless provenance: an ephemeral key, a Fulcio certificate issued seconds before, one DSSE signature.
    const ephemeral = deriveKey(P256, `ephemeral provenance key ${rel.tag}`);
    const identity = identityOf(rel);
    const issued = plus(rel.provenanceTime, -3);
    const certDer = await issueFulcioCertificate(ca, ephemeral, identity, issued, `${r.hex(2).replace(/^[89a-f]/, '3')}${r.hex(38)}`);
    const envelope: DsseEnvelope = signDsse(ephemeral, PAYLOAD_TYPE, provenanceStatement(rel));
    const subjects = rel.artifacts.filter((a) => a.name.endsWith('.tar.gz')).map((a) => a.sha256);
    pending.push({
      time: rel.provenanceTime, kind: 'dsse', body: dsseRekorBody(envelope, pem('CERTIFICATE', certDer)),
      fact: { id: `${rel.tag}/provenance`, kind: 'dsse', signer: 'cert', digests: subjects, release: rel.tag, runId: rel.run.runId, san: workflowSan(identity) },
      bundle: (entry) => certificateDsseBundle(certDer, envelope, entry),
      bundleName: `sigstore/bundles/ledger_${rel.version}_provenance.sigstore.json`,
    });
  }
  for (const s of story.attack.signatures) {
    const sig = keySignature(cosign, s.artifact);
    pending.push({
      time: s.time, kind: 'hashedrekord', body: hashedRekordBody(s.artifact.sha256, sig, cosignPem),
      fact: { id: s.id, kind: 'hashedrekord', signer: 'key', digests: [s.artifact.sha256], attack: s.note, ...(s.id === 'S0' ? { runId: story.attack.prRun.runId } : {}) },
      ...(s.id === 'S1'
        ? { bundle: (entry: Record<string, unknown>) => publicKeyMessageBundle(cosign, s.artifact.sha256, sig, entry), bundleName: `sigstore/bundles/${s.artifact.name}.sigstore.json` }
        : {}),
    });
  }
  pending.sort((a, b) => a.time.getTime() - b.time.getTime());

  const f = rng.fork('filler');
  const logged: { p: Pending; e: LoggedEntry }[] = pending.map((p) => ({ p, e: log.append(p.body, Math.floor(p.time.getTime() / 1000), f.int(20, 400)) }));

  const files = new Map<string, string>();
  const facts: SignatureFact[] = [];
  const exportNs = BigInt(REKOR_EXPORT_TIME.getTime()) * 1_000_000n;
  const finalSize = log.size;
  const v1Lines: string[] = [];
  for (const { p, e } of logged) {
    facts.push({ ...p.fact, uuid: e.uuid, logIndex: e.logIndex, integratedTime: e.integratedTime });
    if (p.kind === 'hashedrekord') {
      const entry = log.v1Entry(e, log.proof(e, finalSize, exportNs));
      v1Lines.push(JSON.stringify(entry));
      if (p.fact.id === 'S1' || p.fact.id === 'S4') files.set(`sigstore/rekor/entry-${e.logIndex}.json`, JSON.stringify(entry, null, 2) + '\n');
    }
    if (p.bundle && p.bundleName) {
      // A bundle carries the proof the log returned at upload time: against the tree just after this entry.
      const atUpload = log.proof(e, e.treeIndex + 1, BigInt(e.integratedTime) * 1_000_000_000n + BigInt(r.int(100_000_000, 900_000_000)));
      files.set(p.bundleName, JSON.stringify(p.bundle(bundleTlogEntry(log, e, p.kind, atUpload)), null, 2) + '\n');
    }
  }
  files.set('sigstore/rekor/cosign-pubkey-search.ndjson', v1Lines.join('\n') + '\n');
  files.set('trust/trusted_root.json', JSON.stringify(trustedRoot(log, ca), null, 2) + '\n');
  files.set('trust/cosign.pub', cosignPem);

  return { files, facts, cosignFingerprint: fingerprint(cosign) };
}
