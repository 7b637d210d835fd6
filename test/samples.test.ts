// samples/: the demo incident. The committed files are what the generator writes; every file
// loads with zero rejects through the adapters registered on this branch (the others' checks run
// as soon as their adapters are registered); and the story the README tells holds in the data.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { X509Certificate, dsse, json } from '@sigstore/core';
import { bundleFromJSON, assertBundleLatest } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/pipeline.js';
import { ADAPTERS } from '../src/sources/registry.js';
import type { SourceAdapter } from '../src/sources/types.js';
import { Store, type Param } from '../src/store/database.js';
import { P256, verifyHash } from '../samples/generator/ecdsa.js';
import { generateBench } from '../samples/generator/bench.js';
import type { ExpectedJson } from '../samples/generator/expected.js';
import { GENERATED_ROOTS, generateSamples } from '../samples/generator/index.js';
import { rootFromProof, leafHash } from '../samples/generator/rekor.js';
import { ROOT, tempDir } from './helpers/paths.js';

const SAMPLES = path.join(ROOT, 'samples');

// The fields of each format these tests read (the files hold many more).
interface CtRecord {
  eventID: string;
  eventTime: string;
  eventName: string;
  sourceIPAddress: string;
  errorCode?: string;
  userIdentity: { type: string; arn?: string; accessKeyId?: string; sessionContext?: { sessionIssuer?: { arn?: string } } };
  requestParameters: { secretId?: string } | null;
  responseElements: { accessKey?: { accessKeyId: string } } | null;
}
interface GhRecord {
  '@timestamp': number;
  _document_id: string;
  action: string;
  job_name?: string;
  job_workflow_ref?: string;
  secrets_passed?: string[];
  workflow_run_id?: number;
  run_attempt?: number;
}
interface VaultLine {
  time: string;
  type: 'request' | 'response';
  auth: { accessor?: string };
  request: { id: string; path: string; remote_address: string; data?: Record<string, unknown> };
  error?: string;
}
interface RekorEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    inclusionProof: { hashes: string[]; logIndex: number; rootHash: string; treeSize: number; checkpoint: string };
    signedEntryTimestamp: string;
  };
}
interface HashedRekordBody {
  kind: string;
  spec: { data: { hash: { value: string } }; signature: { content: string; publicKey: { content: string } } };
}
interface BundleJson {
  verificationMaterial: {
    certificate?: { rawBytes: string };
    publicKey?: { hint: string };
    tlogEntries: { integratedTime: string }[];
  };
  dsseEnvelope?: { payload: string; payloadType: string; signatures: { sig: string }[] };
}
interface TrustedRootJson {
  tlogs: { publicKey: { rawBytes: string }; logId: { keyId: string } }[];
  certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[];
}

function read(rel: string): Buffer {
  return fs.readFileSync(path.join(SAMPLES, rel));
}
function readJson<T>(rel: string): T {
  return JSON.parse(read(rel).toString()) as T;
}
function filesUnder(rel: string): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    for (const name of fs.readdirSync(path.join(SAMPLES, p)).sort()) {
      const child = path.posix.join(p, name);
      if (fs.statSync(path.join(SAMPLES, child)).isDirectory()) visit(child);
      else out.push(child);
    }
  };
  if (fs.existsSync(path.join(SAMPLES, rel))) visit(rel);
  return out;
}
function ndjson<T>(rel: string): T[] {
  return read(rel).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}
const generatedFiles = (): string[] => GENERATED_ROOTS.flatMap((r) => (r.includes('.') ? [r] : filesUnder(r)));

const expected = readJson<ExpectedJson>('expected.json');
const caseFile = readJson<{ keys: string[]; expected: { principals: string[] } }>('case.json');
const cloudtrail: CtRecord[] = filesUnder('aws').flatMap((f) => (JSON.parse(gunzipSync(read(f)).toString()) as { Records: CtRecord[] }).Records);
const github: GhRecord[] = filesUnder('github').flatMap((f) => ndjson<GhRecord>(f));
const vault: VaultLine[] = filesUnder('vault').flatMap((f) => ndjson<VaultLine>(f));
/** Rekor v1 entries as [uuid, entry]. */
const v1 = (entries: Record<string, RekorEntry>[]): [string, RekorEntry][] => entries.map((e) => Object.entries(e)[0]);
const rekorSearch = ndjson<Record<string, RekorEntry>>('sigstore/rekor/cosign-pubkey-search.ndjson');
const rekorSingles = filesUnder('sigstore/rekor').filter((f) => f.endsWith('.json')).map((f) => readJson<Record<string, RekorEntry>>(f));
const bundles = filesUnder('sigstore/bundles').map((f) => ({ file: f, bundle: readJson<BundleJson>(f) }));
const trustedRoot = readJson<TrustedRootJson>('trust/trusted_root.json');
const at = (iso: string): number => Date.parse(iso);

describe('samples/: generation', () => {
  it('is what `npm run samples` writes: regenerating gives the committed files (gzip compared by content)', async () => {
    const { files } = await generateSamples();
    expect(generatedFiles().sort()).toEqual([...files.keys()].sort());
    for (const [rel, body] of files) {
      const onDisk = read(rel);
      if (rel.endsWith('.gz')) expect(gunzipSync(onDisk).equals(gunzipSync(body)), rel).toBe(true);
      else expect(onDisk.equals(body), rel).toBe(true);
    }
  });

  it('stays small: under 3 MB in all', () => {
    const bytes = generatedFiles().reduce((n, f) => n + read(f).length, 0);
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
  });

  it('keeps only data in the input folders that expected.json names', () => {
    expect(expected.inputs).toEqual(['aws', 'github', 'sigstore', 'vault']);
    for (const dir of expected.inputs) {
      for (const f of filesUnder(dir)) expect(f, f).toMatch(/\.(json|json\.gz|ndjson)$|vault-audit\.log(-\d{8})?$/);
    }
  });
});

interface Family {
  dir: 'aws' | 'github' | 'sigstore' | 'vault';
  /** events.source this format loads into, or the signatures table for transparency logs. */
  source: string;
  match: (a: SourceAdapter) => boolean;
  /** What the store must hold after loading the folder. */
  check: (store: Store) => Promise<void>;
}

async function scalar(store: Store, sql: string, params: Param[] = []): Promise<number> {
  const row = await store.one<{ n: number }>(sql, params);
  return Number(row?.n ?? 0);
}

const FAMILIES: Family[] = [
  {
    dir: 'aws',
    source: 'aws.cloudtrail',
    match: (a) => a.emits.includes('aws.cloudtrail'),
    check: async (store) => {
      expect(await scalar(store, "SELECT count(*) AS n FROM events WHERE source = 'aws.cloudtrail'")).toBe(expected.counts.records['aws.cloudtrail']);
      const byAction = await store.all<{ native_action: string; n: number }>("SELECT native_action, count(*) AS n FROM events WHERE source = 'aws.cloudtrail' GROUP BY 1 ORDER BY 1");
      expect(Object.fromEntries(byAction.map((r) => [r.native_action, Number(r.n)]))).toEqual(expected.counts.cloudtrail_by_native_action);
      // The attacker's new access key is visible as an issued credential.
      expect(await store.all("SELECT actor, credential_id, issued_credential_id, source_ip FROM events WHERE native_action = 'iam:CreateAccessKey'")).toEqual([
        { actor: expected.lateral.principal, credential_id: expected.lateral.credentials[0], issued_credential_id: expected.lateral.new_credentials[0], source_ip: expected.lateral.address },
      ]);
      // KMS calls by alias resolve to the key ARN the case file names.
      expect(await scalar(store, "SELECT count(DISTINCT target) AS n FROM events WHERE native_action = 'kms:Sign'")).toBe(1);
      expect(await scalar(store, "SELECT count(*) AS n FROM events WHERE native_action = 'kms:Sign' AND target = $1", [expected.key.kms_key_arn])).toBe(expected.counts.cloudtrail_by_native_action['kms:Sign']);
    },
  },
  {
    dir: 'github',
    source: 'github.audit',
    match: (a) => a.emits.includes('github.audit'),
    check: async (store) => {
      expect(await scalar(store, "SELECT count(*) AS n FROM events WHERE source = 'github.audit'")).toBe(expected.counts.records['github.audit']);
      expect(await scalar(store, "SELECT count(*) AS n FROM events WHERE source = 'github.audit' AND list_contains(secrets, 'COSIGN_KEY')")).toBe(expected.counts.ci.jobs_handed_cosign_key);
    },
  },
  {
    dir: 'vault',
    source: 'vault.audit',
    match: (a) => a.emits.includes('vault.audit'),
    check: async (store) => {
      // Request and response lines are joined: one event per request.
      expect(await scalar(store, "SELECT count(*) AS n FROM events WHERE source = 'vault.audit'")).toBe(expected.counts.records['vault.audit_requests']);
    },
  },
  {
    dir: 'sigstore',
    source: 'signatures',
    match: (a) => a.emits.some((e) => e === 'signatures' || e.startsWith('sigstore') || e.startsWith('rekor')),
    check: async (store) => {
      // Entries found by search, fetched singly and inside bundles are the same log entries.
      expect(await scalar(store, 'SELECT count(DISTINCT right(entry_uuid, 64)) AS n FROM signatures')).toBe(expected.counts.records.signatures);
      expect(await scalar(store, "SELECT count(DISTINCT right(entry_uuid, 64)) AS n FROM signatures WHERE key_fingerprint = $1", [expected.key.fingerprint])).toBe(expected.counts.records.signatures_key);
    },
  },
];

describe('samples/: every committed file ingests with zero rejects', () => {
  for (const family of FAMILIES) {
    const adapters = ADAPTERS.filter(family.match);
    // Adapters for GitHub, Vault and Sigstore are built on other branches; these run once registered.
    it.skipIf(adapters.length === 0)(`${family.dir}/ loads into ${family.source} through ${adapters.map((a) => a.id).join(', ') || '(no adapter yet)'}`, async () => {
      const store = await Store.open(':memory:');
      try {
        const { files, skipped } = await ingest(store, [path.join(SAMPLES, family.dir)]);
        expect(skipped).toEqual([]);
        expect(files.length).toBe(expected.counts.files[family.dir]);
        for (const f of files) {
          expect({ file: f.path, status: f.status, rejected: f.rejected }).toEqual({ file: f.path, status: 'loaded', rejected: 0 });
          expect(adapters.map((a) => a.id)).toContain(f.adapter);
        }
        expect(await scalar(store, 'SELECT count(*) AS n FROM rejects')).toBe(0);
        await family.check(store);
      } finally {
        store.close();
      }
    }, 180_000);
  }
});

describe('samples/: the story holds in the data', () => {
  const prepared = github.filter((r) => r.action === 'workflows.prepared_workflow_job');
  const withKey = prepared.filter((r) => (r.secrets_passed as string[]).includes('COSIGN_KEY'));
  const releaseRef = /^acme\/ledger\/\.github\/workflows\/release\.yml@refs\/tags\/v\d+\.\d+\.\d+$/;
  /** [start, end] of every job handed COSIGN_KEY, with its run's ref. */
  const signJobs = withKey.map((j) => {
    const done = github.find((r) => r.action === 'workflows.completed_workflow_run' && r.workflow_run_id === j.workflow_run_id && r.run_attempt === j.run_attempt)!;
    return { ref: j.job_workflow_ref as string, run: j.workflow_run_id as number, start: (j['@timestamp']) / 1000, end: (done['@timestamp']) / 1000 };
  });

  it('has ten releases whose sign job alone was handed COSIGN_KEY, and two rogue jobs on unexpected refs', () => {
    expect(withKey.filter((j) => releaseRef.test(j.job_workflow_ref as string) && j.job_name === 'sign')).toHaveLength(10);
    expect(withKey.filter((j) => !releaseRef.test(j.job_workflow_ref as string)).map((j) => j.job_workflow_ref)).toEqual([
      'acme/ledger/.github/workflows/ci-debug.yml@refs/heads/fix/flaky-cache',
      'acme/ledger/.github/workflows/ci-debug.yml@refs/pull/418/merge',
    ]);
    expect(withKey).toHaveLength(expected.counts.ci.jobs_handed_cosign_key);
    // The one failed release attempt was re-run; only attempt 2 signed.
    expect(github.filter((r) => r.action === 'workflows.rerun_workflow_run')).toHaveLength(1);
  });

  it('names the cosign key by its fingerprint in case.json, and every key-based entry verifies under it', () => {
    const pub = read('trust/cosign.pub').toString();
    const fp = createHash('sha256').update(createPublicKey(pub).export({ type: 'spki', format: 'der' })).digest('hex');
    expect(caseFile.keys).toContain(`fp:${fp}`);
    expect(expected.key.fingerprint).toBe(fp);
    const jwk = createPublicKey(pub).export({ format: 'jwk' });
    const coord = (v: string | undefined): bigint => BigInt(`0x${Buffer.from(v ?? '', 'base64url').toString('hex')}`);
    const point = { x: coord(jwk.x), y: coord(jwk.y) };
    expect(rekorSearch).toHaveLength(expected.counts.records.rekor_v1_entries);
    for (const [uuid, e] of v1(rekorSearch)) {
      const body = JSON.parse(Buffer.from(e.body, 'base64').toString()) as HashedRekordBody;
      expect(body.kind).toBe('hashedrekord');
      expect(Buffer.from(body.spec.signature.publicKey.content, 'base64').toString()).toBe(pub);
      // DER SEQUENCE { INTEGER r, INTEGER s } with short lengths (P-256).
      const sig = Buffer.from(body.spec.signature.content, 'base64');
      const rLen = sig[3];
      const r = BigInt(`0x${sig.subarray(4, 4 + rLen).toString('hex')}`);
      const s = BigInt(`0x${sig.subarray(6 + rLen).toString('hex')}`);
      expect(verifyHash(P256, point, Buffer.from(body.spec.data.hash.value, 'hex'), { r, s }), uuid).toBe(true);
    }
  });

  it('puts every baseline key-based signature inside a release sign job, and the five attack signatures outside one', () => {
    const outside = v1(rekorSearch).filter(([, e]) => !signJobs.some((j) => releaseRef.test(j.ref) && e.integratedTime >= j.start && e.integratedTime <= j.end));
    expect(outside.map(([uuid]) => uuid)).toEqual([...expected.signed.anomalous, ...expected.signed.unattested].map((x) => x.uuid));
    // S0 falls inside the rogue pull-request run.
    const s0 = v1(rekorSearch).find(([uuid]) => uuid === expected.signed.anomalous[0].uuid)![1];
    expect(signJobs.filter((j) => s0.integratedTime >= j.start && s0.integratedTime <= j.end).map((j) => j.ref)).toEqual([
      'acme/ledger/.github/workflows/ci-debug.yml@refs/pull/418/merge',
    ]);
  });

  it('gives every Rekor entry a valid SET and an inclusion proof to a signed checkpoint of the demo log', () => {
    const tlog = trustedRoot.tlogs[0];
    const logKey = createPublicKey({ key: Buffer.from(tlog.publicKey.rawBytes, 'base64'), format: 'der', type: 'spki' });
    const logId = Buffer.from(tlog.logId.keyId, 'base64').toString('hex');
    for (const [uuid, e] of v1([...rekorSearch, ...rekorSingles])) {
      expect(e.logID).toBe(logId);
      const set = json.canonicalize({ body: e.body, integratedTime: e.integratedTime, logID: e.logID, logIndex: e.logIndex });
      expect(nodeVerify('sha256', Buffer.from(set), logKey, Buffer.from(e.verification.signedEntryTimestamp, 'base64')), uuid).toBe(true);
      const leaf = leafHash(Buffer.from(e.body, 'base64'));
      expect(uuid.slice(-64)).toBe(leaf.toString('hex'));
      const p = e.verification.inclusionProof;
      const root = rootFromProof(leaf, p.logIndex, p.treeSize, p.hashes.map((h) => Buffer.from(h, 'hex')));
      expect(root.toString('hex')).toBe(p.rootHash);
      const [note, sigLine] = p.checkpoint.split('\n\n') as [string, string];
      expect(note.split('\n')[2]).toBe(root.toString('base64'));
      const sig = Buffer.from(sigLine.trim().split(' ').at(-1)!, 'base64');
      expect(sig.subarray(0, 4).toString('hex')).toBe(logId.slice(0, 8));
      expect(nodeVerify('sha256', Buffer.from(`${note}\n`), logKey, sig.subarray(4))).toBe(true);
    }
    // The two entries fetched one by one are the same entries the key search found (S1, S4).
    expect(rekorSingles.map((e) => Object.keys(e)[0])).toEqual(expect.arrayContaining([expected.signed.unattested[0].uuid, expected.signed.unattested[3].uuid]));
  });

  it('ships provenance bundles (v0.3) whose Fulcio certificate chains to the demo CA and names the release run', () => {
    const chain = trustedRoot.certificateAuthorities[0].certChain.certificates.map((c) => X509Certificate.parse(Buffer.from(c.rawBytes, 'base64')));
    const [intermediate, root] = chain as [X509Certificate, X509Certificate];
    const provenance = bundles.filter((b) => b.file.endsWith('_provenance.sigstore.json'));
    expect(provenance).toHaveLength(10);
    for (const { file, bundle } of provenance) {
      assertBundleLatest(bundleFromJSON(bundle));
      const cert = X509Certificate.parse(Buffer.from(bundle.verificationMaterial.certificate!.rawBytes, 'base64'));
      expect(cert.verify(intermediate) && intermediate.verify(root), file).toBe(true);
      const san = cert.extSubjectAltName!.uri!;
      expect(san, file).toMatch(/^https:\/\/github\.com\/acme\/ledger\/\.github\/workflows\/release\.yml@refs\/tags\/v/);
      // Extension .21 (DER UTF8String) is the run invocation URI: it names a release run in the audit log.
      const runUrl = cert.extension('1.3.6.1.4.1.57264.1.21')!.value.subarray(2).toString();
      const runId = Number(/runs\/(\d+)\//.exec(runUrl)![1]);
      expect(signJobs.some((j) => j.run === runId && san.endsWith(j.ref.split('@')[1])), file).toBe(true);
      const env = bundle.dsseEnvelope!;
      const pae = dsse.preAuthEncoding(env.payloadType, Buffer.from(env.payload, 'base64'));
      const certKey = createPublicKey({ key: cert.publicKey, format: 'der', type: 'spki' });
      expect(nodeVerify('sha256', pae, certKey, Buffer.from(env.signatures[0].sig, 'base64')), file).toBe(true);
      const integrated = Number(bundle.verificationMaterial.tlogEntries[0].integratedTime) * 1000;
      expect(integrated).toBeGreaterThanOrEqual(cert.notBefore.getTime());
      expect(integrated).toBeLessThanOrEqual(cert.notAfter.getTime());
    }
    // The fake release's bundle names the cosign key by hint (base64 of its fingerprint).
    const fake = bundles.find((b) => b.file.includes('1.4.6'))!.bundle;
    assertBundleLatest(bundleFromJSON(fake));
    expect(Buffer.from(fake.verificationMaterial.publicKey!.hint, 'base64').toString('hex')).toBe(expected.key.fingerprint);
  });

  it('shows the attacker in AWS: a static key from 203.0.113.77, lateral reads, a new access key, signs refused after containment', () => {
    const fromAttacker = cloudtrail.filter((r) => r.sourceIPAddress === expected.lateral.address);
    expect(new Set(fromAttacker.map((r) => r.userIdentity.arn))).toEqual(new Set([expected.lateral.principal]));
    expect(new Set(fromAttacker.map((r) => r.userIdentity.accessKeyId))).toEqual(new Set(expected.lateral.credentials));
    expect(cloudtrail.filter((r) => r.eventName === 'CreateAccessKey').map((r) => r.responseElements?.accessKey?.accessKeyId)).toEqual(expected.lateral.new_credentials);
    const reads = fromAttacker.filter((r) => r.eventName === 'GetSecretValue').map((r) => (r.requestParameters?.secretId ?? '').replace(/^arn:.*:secret:(.*)-\w{6}$/, '$1'));
    expect(reads.filter((s) => s !== 'release/cosign-key').sort()).toEqual([...expected.lateral.other_secrets].sort());
    const signs = cloudtrail.filter((r) => r.eventName === 'Sign');
    expect(signs.filter((r) => r.userIdentity.type === 'AssumedRole').every((r) => ['198.51.100.10', '198.51.100.11'].includes(r.sourceIPAddress))).toBe(true);
    expect(signs.filter((r) => r.sourceIPAddress === expected.lateral.address).map((r) => r.errorCode ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'DisabledException', 'DisabledException']);
    // Nobody but the release role signed before the attack.
    const before = signs.filter((r) => at(r.eventTime) < at(expected.window.first_exposure.ts));
    expect(before).toHaveLength(20);
    expect(before.every((r) => r.userIdentity.sessionContext?.sessionIssuer?.arn === caseFile.expected.principals[0])).toBe(true);
  });

  it('shows the attacker in Vault: the CI AppRole used from 203.0.113.77, then refused', () => {
    const requests = vault.filter((l) => l.type === 'request');
    const responses = new Set(vault.filter((l) => l.type === 'response').map((l) => l.request.id));
    expect(requests.every((l) => responses.has(l.request.id))).toBe(true);
    expect(requests.length).toBe(expected.counts.records['vault.audit_requests']);
    // Request data values are HMAC-ed; booleans stay in clear.
    for (const l of requests) {
      for (const v of Object.values(l.request.data ?? {})) expect(typeof v === 'string' ? v.startsWith('hmac-sha256:') : typeof v === 'boolean').toBe(true);
    }
    const attacker = vault.filter((l) => l.type === 'response' && l.request.remote_address === expected.lateral.address);
    expect(attacker.map((l) => [l.request.path, l.error ?? 'ok'])).toEqual([
      ['auth/approle/login', 'ok'],
      ['transit/sign/release-signing', 'ok'],
      ['transit/sign/release-signing', 'ok'],
      ['transit/sign/release-signing', '1 error occurred:\n\t* permission denied\n\n'],
      ['auth/approle/login', 'invalid role or secret ID'],
    ]);
    // The revoked accessor is the attacker's token's accessor (same HMAC).
    const revoke = requests.find((l) => l.request.path === 'auth/token/revoke-accessor')!;
    expect(revoke.request.data?.accessor).toBe(attacker[0].auth.accessor);
  });

  it('cites in expected.json only records that exist, with the window bounds in order', () => {
    const ids = new Set<string>([
      ...cloudtrail.map((r) => r.eventID),
      ...github.map((r) => r._document_id),
      ...vault.map((l) => l.request.id),
      ...v1(rekorSearch).map(([uuid]) => uuid),
    ]);
    const w = expected.window;
    const evidence = [
      ...expected.findings.flatMap((f) => f.evidence),
      ...expected.may_also_report.flatMap((f) => f.evidence),
      ...Object.values(w.contained_at.per_alias),
    ];
    for (const e of evidence) expect(ids.has(e.id), `${e.source} ${e.ts} ${e.id}`).toBe(true);
    for (const e of [...w.earliest_possible.evidence, ...w.first_exposure.evidence]) expect(ids.has(e.id), `${e.source} ${e.ts} ${e.id}`).toBe(true);
    expect(at(w.earliest_possible.ts)).toBeLessThan(at(w.first_exposure.ts));
    expect(at(w.first_exposure.ts)).toBeLessThan(at(w.first_evidence.ts));
    expect(at(w.first_evidence.ts)).toBeLessThan(at(w.contained_at.ts));
    expect(at(w.contained_at.ts)).toBeLessThan(at(w.last_use.ts));
    expect(Object.values(w.contained_at.per_alias).every((e) => at(e.ts) <= at(w.contained_at.ts))).toBe(true);
    expect(expected.findings.map((f) => f.rule)).toEqual(expect.arrayContaining([
      'SIGNED_WITHOUT_BUILD', 'UNKNOWN_SIGNER', 'UNEXPECTED_REF', 'UNEXPECTED_SOURCE_IP', 'SIGN_DENIED',
      'USE_AFTER_CONTAINMENT', 'SECRET_TO_UNEXPECTED_JOB', 'LATERAL_SECRET_READ', 'NEW_CREDENTIAL',
    ]));
  });

  it('tells the same story in samples/README.md: every window bound, rule and attack signature appears there', () => {
    const readme = read('README.md').toString();
    const w = expected.window;
    for (const ts of [w.earliest_possible.ts, w.first_exposure.ts, w.first_evidence.ts, w.contained_at.ts, w.last_use.ts]) expect(readme).toContain(ts);
    for (const f of expected.findings) {
      expect(readme).toContain(f.rule);
      for (const e of f.evidence) expect(readme, `${f.rule} ${e.ts}`).toContain(e.ts.slice(11, 19));
    }
    for (const d of expected.distrust.digests) expect(readme).toContain(d);
    expect(readme).toContain(expected.key.fingerprint);
    const c = expected.counts;
    expect(readme).toContain(`${c.files.aws} objects, ${c.records['aws.cloudtrail']} records`);
    expect(readme).toContain(`${c.files.github} files, ${c.records['github.audit']} records`);
    expect(readme).toContain(`${c.files.vault} files, ${c.records['vault.audit_requests']} requests (${c.records['vault.audit_lines']} lines)`);
    expect(readme).toContain(`Unique signatures: **${c.records.signatures}**`);
  });
});

describe('samples/: benchmark sets', () => {
  it('writes a set of the requested size in the same formats, which the CloudTrail adapter loads without rejects', async () => {
    const out = tempDir('sigtrail-bench-');
    const summary = await generateBench({ out, events: 5000 });
    expect(summary.records['aws.cloudtrail'] + summary.records['github.audit'] + summary.records['vault.audit_requests']).toBe(5000);
    const store = await Store.open(':memory:');
    try {
      const { files } = await ingest(store, [path.join(out, 'aws')]);
      expect(files.every((f) => f.status === 'loaded' && f.rejected === 0)).toBe(true);
      expect(await scalar(store, 'SELECT count(*) AS n FROM events')).toBe(summary.records['aws.cloudtrail']);
    } finally {
      store.close();
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
