import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SigtrailError } from '../../src/errors.js';
import { parseCheckpoint, treeIdOfOrigin, verifyCheckpointSignature } from '../../src/sigstore/checkpoint.js';
import { entryFromFields, type EntryFields, type LogEntry } from '../../src/sigstore/entry.js';
import { leafHash, rootFromInclusionProof } from '../../src/sigstore/merkle.js';
import { verifyEntry, type TlogStatus, type TlogVerdict } from '../../src/sigstore/tlog.js';
import { TrustedLogs, logsFromTrustedRoot } from '../../src/sigstore/trusted-root.js';
import {
  createTestLog, flipByte, keySigner, otherKindBody, signHashedrekord, transparencyLogEntry, v1ApiResponse, type TestLog,
} from '../fixtures/sigstore.js';
import { fixtureDir, realdata } from '../helpers/paths.js';

/** The staging v1 API entry with an inclusion proof, a checkpoint and a SET (sigstore-java fixture). */
function stagingEntryFields(): EntryFields {
  const doc = JSON.parse(fs.readFileSync(realdata('sigstore', 'rekor_v1_api', 'rekor_v1_entry_hashedrekord.json'), 'utf8')) as Record<string, {
    body: string; integratedTime: number; logID: string; logIndex: number;
    verification: { signedEntryTimestamp: string; inclusionProof: { hashes: string[]; logIndex: number; rootHash: string; treeSize: number; checkpoint: string } };
  }>;
  const [uuid, e] = Object.entries(doc)[0];
  const p = e.verification.inclusionProof;
  return {
    uuid, body: e.body, integrated_time: String(e.integratedTime), log_id: e.logID, log_index: String(e.logIndex),
    set: e.verification.signedEntryTimestamp, proof_log_index: String(p.logIndex), proof_tree_size: String(p.treeSize),
    proof_root: p.rootHash, proof_hashes: p.hashes, checkpoint: p.checkpoint,
  };
}

const shipped = TrustedLogs.shipped();

function expectVerdict(v: TlogVerdict, status: TlogStatus, reason: RegExp): void {
  expect(v.status).toBe(status);
  expect(v.reason).toMatch(reason);
}
const v1 = (f: EntryFields): LogEntry => entryFromFields(f, 'rekor.v1');

function trustOf(log: TestLog): TrustedLogs {
  return new TrustedLogs(logsFromTrustedRoot(log.trustedRoot(), 'test'));
}

describe('verifying the real staging v1 entry offline', () => {
  it('is verified: proof to a checkpoint signed by rekor.sigstage.dev, and the SET', () => {
    const v = verifyEntry(v1(stagingEntryFields()), shipped);
    expect(v).toEqual({
      status: 'verified',
      reason: 'inclusion proof to a checkpoint signed by https://rekor.sigstage.dev; signed entry timestamp by https://rekor.sigstage.dev',
    });
  });

  it('fails when one byte of the body changes (the UUID no longer matches its leaf hash)', () => {
    const f = stagingEntryFields();
    const body = flipByte(Buffer.from(f.body!, 'base64'), 100).toString('base64');
    expectVerdict(verifyEntry(v1({ ...f, body }), shipped), 'failed', /UUID .* does not match the leaf hash/);
    // Without the UUID to give it away, the proof no longer reaches the root.
    expectVerdict(verifyEntry(v1({ ...f, uuid: null, body }), shipped), 'failed', /inclusion proof does not hash to its root/);
  });

  it('fails when one byte of a proof hash changes', () => {
    const f = stagingEntryFields();
    const hashes = [...f.proof_hashes!];
    hashes[3] = flipByte(Buffer.from(hashes[3], 'hex'), 0).toString('hex');
    expectVerdict(verifyEntry(v1({ ...f, proof_hashes: hashes }), shipped), 'failed', /does not hash to its root/);
  });

  it('fails when the checkpoint root is replaced by the (consistent) root of another proof', () => {
    const f = stagingEntryFields();
    const root = flipByte(Buffer.from(f.proof_root!, 'hex'), 5);
    const checkpoint = f.checkpoint!.replace(Buffer.from(f.proof_root!, 'hex').toString('base64'), root.toString('base64'));
    expectVerdict(verifyEntry(v1({ ...f, checkpoint }), shipped), 'failed', /checkpoint root hash differs/);
  });

  it('fails when the SET is altered, even with a good proof', () => {
    const f = stagingEntryFields();
    const set = flipByte(Buffer.from(f.set!, 'base64'), 20).toString('base64');
    expectVerdict(verifyEntry(v1({ ...f, set }), shipped), 'failed', /signed entry timestamp does not verify/);
  });

  it('is unverified when its log is not trusted, and says so', () => {
    const other = createTestLog();
    expectVerdict(verifyEntry(v1(stagingEntryFields()), trustOf(other)), 'unverified', /not in the trusted roots/);
  });

  it('is verified with the log key given as the PEM file sigstore-java ships (rekor.pub)', () => {
    const trust = TrustedLogs.load([realdata('sigstore', 'rekor_v1_api', 'rekor.pub')]);
    expect(verifyEntry(v1(stagingEntryFields()), trust).status).toBe('verified');
  });
});

describe('verdicts on generated log entries', () => {
  const log = createTestLog({ indexOffset: 5_000_000 });
  const signer = keySigner();
  const logged = Array.from({ length: 13 }, (_, i) => log.append(signHashedrekord(signer, Buffer.from(`artifact ${i}`)).body, 1_714_560_000 + i));
  const trust = trustOf(log);
  const asV1 = (i: number, opt = {}): LogEntry => {
    const [uuid, e] = Object.entries(v1ApiResponse(log, logged[i], opt))[0] as [string, Record<string, unknown>];
    const ver = (e.verification ?? {}) as { signedEntryTimestamp?: string; inclusionProof?: Record<string, unknown> };
    const p = ver.inclusionProof;
    return v1({
      uuid, body: e.body as string, integrated_time: String(e.integratedTime), log_id: e.logID as string, log_index: String(e.logIndex),
      set: ver.signedEntryTimestamp, proof_log_index: p && String(p.logIndex), proof_tree_size: p && String(p.treeSize),
      proof_root: p?.rootHash as string | undefined, proof_hashes: p?.hashes as string[] | undefined, checkpoint: p?.checkpoint as string | undefined,
    });
  };

  it('verifies every position of a 13-leaf tree (left, right, border leaves)', () => {
    for (let i = 0; i < logged.length; i++) expect(verifyEntry(asV1(i), trust).status, `index ${i}`).toBe('verified');
  });

  it('is unverified when the entry carries neither proof nor SET', () => {
    expectVerdict(verifyEntry(asV1(2, { proof: false, set: false }), trust), 'unverified', /no inclusion proof and no signed entry timestamp/);
  });

  it('is verified by the SET alone, and by the checkpoint alone', () => {
    expectVerdict(verifyEntry(asV1(4, { proof: false }), trust), 'verified', /^signed entry timestamp/);
    expectVerdict(verifyEntry(asV1(4, { set: false }), trust), 'verified', /^inclusion proof to a checkpoint/);
  });

  it('fails when the integrated time is outside the log key validity window', () => {
    const late = createTestLog({ validFrom: '2030-01-01T00:00:00Z' });
    const e = late.append(signHashedrekord(signer, Buffer.from('x')).body, 1_714_560_000);
    const [uuid, r] = Object.entries(v1ApiResponse(late, e, { proof: false }))[0] as [string, { body: string; logID: string; verification: { signedEntryTimestamp: string } }];
    const entry = v1({ uuid, body: r.body, integrated_time: '1714560000', log_id: r.logID, log_index: '0', set: r.verification.signedEntryTimestamp });
    expectVerdict(verifyEntry(entry, trustOf(late)), 'failed', /outside the validity window/);
  });

  it('verifies a Rekor v2 (Ed25519) entry by its checkpoint, with no integrated time or SET', () => {
    const v2 = createTestLog({ keyType: 'ed25519', origin: 'log2025-test.rekor.test.dev' });
    const e = v2.append(signHashedrekord(signer, Buffer.from('v2')).body, 0, { kind: 'hashedrekord', version: '0.0.1' });
    v2.append(signHashedrekord(signer, Buffer.from('v2 second')).body, 0);
    const tle = transparencyLogEntry(v2, e, { rekorV2: true }) as { logIndex: string; logId: { keyId: string }; canonicalizedBody: string; inclusionProof: { logIndex: string; rootHash: string; treeSize: string; hashes: string[]; checkpoint: { envelope: string } } };
    const entry = entryFromFields({
      body: tle.canonicalizedBody, log_id: tle.logId.keyId, log_index: tle.logIndex, proof_log_index: tle.inclusionProof.logIndex,
      proof_tree_size: tle.inclusionProof.treeSize, proof_root: tle.inclusionProof.rootHash, proof_hashes: tle.inclusionProof.hashes,
      checkpoint: tle.inclusionProof.checkpoint.envelope,
    }, 'rekor.tle');
    expect(entry.integratedTime).toBeUndefined();
    expect(verifyEntry(entry, trustOf(v2))).toMatchObject({ status: 'verified', reason: 'inclusion proof to a checkpoint signed by https://log2025-test.rekor.test.dev' });
  });

  it('keeps an unknown kind verifiable: the proof covers the body whatever its kind', () => {
    const other = createTestLog();
    const e = other.append(otherKindBody('rekord'), 1_714_560_000);
    const [uuid, r] = Object.entries(v1ApiResponse(other, e))[0] as [string, { body: string; logID: string; verification: { signedEntryTimestamp: string } }];
    expect(verifyEntry(v1({ uuid, body: r.body, integrated_time: '1714560000', log_id: r.logID, log_index: '0', set: r.verification.signedEntryTimestamp }), trustOf(other)).status).toBe('verified');
  });
});

describe('entry fields are parsed defensively', () => {
  it.each([
    [{ log_index: '-1' }, /logIndex "-1" is not a non-negative integer/],
    [{ log_index: '1e3' }, /logIndex "1e3"/],
    [{ log_index: '99999999999999999999' }, /logIndex/],
    [{ log_id: 'zz' }, /logID is not valid hex/],
    [{ body: 'not*base64' }, /body is not valid base64/],
    [{ uuid: 'abc' }, /UUID "abc" is not 64 or 80 hex/],
    [{ proof_hashes: ['xyz'], proof_root: '00', proof_tree_size: '1' }, /inclusionProof.hashes\[0\] is not valid hex/],
  ])('rejects %o with a VERIFICATION error naming the field', (patch, message) => {
    const f = { ...stagingEntryFields(), ...patch } as EntryFields;
    let err: unknown;
    try {
      v1(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SigtrailError);
    expect((err as SigtrailError).code).toBe('VERIFICATION');
    expect((err as Error).message).toMatch(message);
  });
});

describe('RFC 6962 inclusion proofs', () => {
  it('rejects a proof with the wrong number of hashes for its position', () => {
    const leaf = leafHash(Buffer.from('x'));
    expect(() => rootFromInclusionProof(leaf, 3n, 8n, [leaf, leaf])).toThrow(/needs 3/);
    expect(() => rootFromInclusionProof(leaf, 8n, 8n, [])).toThrow(/outside a tree of size 8/);
  });

  it('a one-leaf tree has the leaf as its root', () => {
    const leaf = leafHash(Buffer.from('only'));
    expect(rootFromInclusionProof(leaf, 0n, 1n, []).equals(leaf)).toBe(true);
  });
});

describe('checkpoints', () => {
  const real = stagingEntryFields().checkpoint!;

  it('parses the signed note (origin with tree ID, size, root, em-dash signature line)', () => {
    const cp = parseCheckpoint(real);
    expect(cp.origin).toBe('rekor.sigstage.dev - 108574341321668964');
    expect(cp.size).toBe(14358n);
    expect(cp.rootHash.toString('hex')).toBe('effa4fa4575f72829016a64e584441203de533212f9470d63a56d1992e73465d');
    expect(cp.signatures[0].name).toBe('rekor.sigstage.dev');
    expect(treeIdOfOrigin(cp.origin)).toBe('0181bbc9c6333964'); // 108574341321668964 in hex
  });

  it('does not verify with a key whose hint does not match, nor after the note changes', () => {
    const [staging] = shipped.find(Buffer.from('d32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a1bea496', 'hex'));
    expect(() => verifyCheckpointSignature(parseCheckpoint(real), staging)).not.toThrow();
    expect(() => verifyCheckpointSignature(parseCheckpoint(real.replace('\n14358\n', '\n14359\n')), staging)).toThrow(/does not verify/);
    const [publicGood] = shipped.find(Buffer.from('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d', 'hex'));
    expect(() => verifyCheckpointSignature(parseCheckpoint(real), publicGood)).toThrow(/not signed by log https:\/\/rekor.sigstore.dev/);
  });

  it.each([
    ['no blank line', 'origin\n1\nAAAA'],
    ['no signature', 'origin\n1\n' + Buffer.alloc(32).toString('base64') + '\n\n'],
    ['a non-numeric size', 'origin\nten\n' + Buffer.alloc(32).toString('base64') + '\n\n\u2014 o AAAAAAAA\n'],
    ['a short root', 'origin\n1\nAAAA\n\n\u2014 o AAAAAAAA\n'],
  ])('rejects a checkpoint with %s', (_what, text) => {
    expect(() => parseCheckpoint(text)).toThrow(SigtrailError);
  });
});

describe('trusted roots', () => {
  it('ships public-good and staging: Rekor v1 keys and the 2025 Ed25519 shards', () => {
    const urls = shipped.logs.map((l) => l.baseUrl);
    expect(urls).toEqual(expect.arrayContaining(['https://rekor.sigstore.dev', 'https://log2025-1.rekor.sigstore.dev', 'https://rekor.sigstage.dev', 'https://log2025-alpha1.rekor.sigstage.dev']));
    expect(shipped.logs.every((l) => l.logId.length === 32)).toBe(true);
  });

  it('loads the shipped roots by name, a trusted_root.json file, or a PEM key', () => {
    expect(TrustedLogs.load(['staging']).logs.every((l) => l.origin === 'staging')).toBe(true);
    const dir = fixtureDir({ 'root.json': JSON.stringify(createTestLog({ baseUrl: 'https://rekor.private.example' }).trustedRoot()) });
    expect(TrustedLogs.load([`${dir}/root.json`]).logs.map((l) => l.baseUrl)).toEqual(['https://rekor.private.example']);
  });

  it('refuses an unreadable or malformed --trusted-root as a usage error', () => {
    const dir = fixtureDir({ 'bad.json': '{"mediaType":"application/json"}', 'bundle.json': fs.readFileSync(realdata('sigstore', 'bundles', 'py_bundle.txt.sigstore.json')) });
    for (const spec of [`${dir}/missing.json`, `${dir}/bad.json`, `${dir}/bundle.json`]) {
      expect(() => TrustedLogs.load([spec])).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
