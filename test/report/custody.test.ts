import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCustody } from '../../src/report/custody.js';
import { ingest, type IngestResult } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { realdata } from '../helpers/paths.js';

const INPUTS = [
  realdata('aws', 'awsdocs_kms_cloudtrail_examples.ndjson'),
  realdata('aws', 'cloudtrail_s3_delivery'),
  realdata('aws', 'awsdocs_AssumeRoleWithWebIdentity.MALFORMED.json.txt'),
];

let store: Store;
let result: IngestResult;

beforeAll(async () => {
  store = await Store.open(':memory:');
  result = await ingest(store, INPUTS);
  // Transparency-log entries as the sigstore adapters store them (only the columns that matter here).
  for (const [i, status] of ['verified', 'verified', 'failed'].entries()) {
    await store.run(
      `INSERT INTO signatures (entry_uuid, log_index, kind, tlog_verified, tlog_reason, file_id, record_no)
       VALUES ($1, $2, 'hashedrekord', $3, $4, 1, $5)`,
      [`24296fb24b8ad77a${String(i).padStart(64, '0')}`, 171402118 + i, status, status === 'failed' ? 'inclusion proof does not match the checkpoint' : null, i + 1],
    );
  }
});

afterAll(() => store?.close());

describe('the chain of custody read from the store', () => {
  it('lists every ingested file with the sha256 and size of its bytes on disk, its adapter, records and rejects', async () => {
    const custody = await readCustody(store);
    const loaded = result.files.filter((f) => f.status === 'loaded');
    expect(custody.files.map((f) => f.path)).toEqual(loaded.map((f) => f.path));
    for (const f of custody.files) {
      const bytes = fs.readFileSync(f.path);
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.bytes).toBe(bytes.length);
      expect(f.adapter).toBe('aws-cloudtrail');
    }
    const kms = custody.files.find((f) => f.path.endsWith('awsdocs_kms_cloudtrail_examples.ndjson'));
    expect(kms).toMatchObject({ records: 72, rejected: 0 });
    // The documented-malformed record is rejected and counted, not dropped.
    const malformed = custody.files.find((f) => f.path.endsWith('.MALFORMED.json.txt'));
    expect(malformed?.rejected).toBe(1);
  });

  it('counts transparency-log entries by proof status', async () => {
    const custody = await readCustody(store);
    expect(custody.tlog).toEqual([{ status: 'verified', count: 2 }, { status: 'failed', count: 1 }]);
  });

  it('is empty for an empty store', async () => {
    const empty = await Store.open(':memory:');
    try {
      expect(await readCustody(empty)).toEqual({ files: [], tlog: [] });
    } finally {
      empty.close();
    }
  });
});
