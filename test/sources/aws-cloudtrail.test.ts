import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { fixtureDir, realdata } from '../helpers/paths.js';
import { storeWith } from '../helpers/store.js';

let store: Store | undefined;
afterEach(() => store?.close());

/** Records in an NDJSON file (non-blank lines). */
function lines(p: string): string[] {
  return fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** Distinct records after minification: what a store that keeps each event once must hold. */
function distinct(records: unknown[]): number {
  return new Set(records.map((r) => JSON.stringify(r))).size;
}

describe('aws-cloudtrail adapter on the real records', () => {
  const ndjsonFiles = [
    'awsdocs_iam_sts_cloudtrail_examples.ndjson',
    'awsdocs_kms_cloudtrail_examples.ndjson',
    'cloud_snitch_test_events.ndjson',
    'otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json',
  ];

  it.each(ndjsonFiles)('stores every record of %s', async (name) => {
    const p = realdata('aws', name);
    const records = lines(p).map((l) => JSON.parse(l) as unknown);
    const r = await storeWith([p]);
    store = r.store;
    const [f] = r.files;
    expect(f).toMatchObject({ adapter: 'aws-cloudtrail', status: 'loaded', records: records.length, rejected: 0 });
    const n = await store.one<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(n!.n).toBe(distinct(records));
    expect(f.inserted + f.duplicates).toBe(records.length);
  });

  it('reads genuine S3 delivery objects (.json.gz, {"Records":[…]})', async () => {
    const dir = realdata('aws', 'cloudtrail_s3_delivery');
    const expected = fs.readdirSync(dir).reduce((n, f) => {
      const doc = JSON.parse(zlib.gunzipSync(fs.readFileSync(`${dir}/${f}`)).toString()) as { Records: unknown[] };
      return n + doc.Records.length;
    }, 0);
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files.map((f) => f.adapter)).toEqual(['aws-cloudtrail', 'aws-cloudtrail']);
    const n = await store.one<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(n!.n).toBe(expected);
    const bad = await store.one<{ n: number }>('SELECT count(*) AS n FROM events WHERE ts IS NULL OR record_no IS NULL');
    expect(bad!.n).toBe(0);
  });

  it('rejects the AWS documentation example that is not valid JSON, with its line', async () => {
    const r = await storeWith([realdata('aws', 'awsdocs_AssumeRoleWithWebIdentity.MALFORMED.json.txt')]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'aws-cloudtrail', rejected: 1, inserted: 0 });
    const rej = await store.all<{ line_no: number; reason: string }>('SELECT line_no, reason FROM rejects');
    expect(rej).toHaveLength(1);
    // Line 20 is where the missing comma after "roleSessionName" breaks the document.
    expect(rej[0].line_no).toBe(20);
    expect(rej[0].reason).toMatch(/malformed JSON/);
  });

  it('takes the OTRF time from Logstash @timestamp when eventTime is absent', async () => {
    const p = realdata('aws', 'otrf', 'ec2_proxy_s3_exfiltration_2020-09-14011940.json');
    const first = JSON.parse(lines(p)[0]) as Record<string, string>;
    const r = await storeWith([p]);
    store = r.store;
    const row = await store.one<{ ts: string }>('SELECT ts FROM events WHERE record_no = 1');
    expect(new Date(row!.ts).getTime()).toBe(new Date(first['@timestamp']).getTime());
  });

  it('accounts for every Panther record: stored, exact duplicate, or rejected with a reason', async () => {
    const p = realdata('aws', 'panther_AWS_CloudTrail.panther.ndjson');
    const records = lines(p).map((l) => JSON.parse(l) as Record<string, unknown>);
    const r = await storeWith([p]);
    store = r.store;
    const f = r.files[0];
    expect(f.records).toBe(records.length);
    expect(f.inserted + f.duplicates + f.rejected).toBe(records.length);
    // Records without a usable time cannot be placed on a timeline, and records without an
    // operation are not CloudTrail events: both are rejected with a reason, never dropped.
    const time = (x: Record<string, unknown>): unknown => x.eventTime ?? x.eventtime ?? x['@timestamp'];
    const unusable = records.filter((x) => !(x.eventName ?? x.eventname) || !time(x) || Number.isNaN(Date.parse(String(time(x))))).length;
    expect(f.rejected).toBe(unusable);
    const rej = await store.all<{ reason: string; line_no: number }>('SELECT reason, line_no FROM rejects ORDER BY line_no');
    expect(rej.every((x) => /eventTime|eventName/.test(x.reason) && x.line_no > 0)).toBe(true);
    // Lower-cased Panther keys (eventname, useridentity) are read too.
    const lower = records.filter((x) => x.eventname && x.eventtime).length;
    expect(lower).toBeGreaterThan(0);
    const n = await store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE native_action = 'dynamodb:GetRecords'");
    expect(n!.n).toBeGreaterThan(0);
  });
});

describe('aws-cloudtrail mapping', () => {
  it('maps KMS Sign to key.sign with the key ARN as target', async () => {
    const r = await storeWith([realdata('aws', 'awsdocs_kms_cloudtrail_examples.ndjson')]);
    store = r.store;
    const rows = await store.all<{ target: string; actor: string; outcome: string }>(
      "SELECT target, actor, outcome FROM events WHERE action = 'key.sign'",
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x.target.startsWith('arn:aws:kms:') && x.target.includes(':key/'))).toBe(true);
  });

  it('resolves a bare key id to the same ARN that resources[] names', async () => {
    const rec = (extra: object): string => JSON.stringify({
      eventVersion: '1.08', eventTime: '2025-01-02T03:04:05Z', eventSource: 'kms.amazonaws.com', eventName: 'Sign',
      awsRegion: 'us-east-1', recipientAccountId: '111122223333', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci' },
      requestParameters: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' },
      responseElements: null, ...extra,
    });
    const dir = fixtureDir({ 'a.ndjson': [rec({ eventID: 'e1' }), rec({ eventID: 'e2', resources: [{ type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }] })].join('\n') });
    const r = await storeWith([dir]);
    store = r.store;
    const targets = await store.all<{ target: string }>('SELECT DISTINCT target FROM events');
    expect(targets).toEqual([{ target: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }]);
  });

  it('reads CloudTrail Lake / lookup-events exports where CloudTrailEvent is a JSON string', async () => {
    const original = lines(realdata('aws', 'awsdocs_kms_cloudtrail_examples.ndjson')).slice(0, 3).map((l) => JSON.parse(l) as Record<string, string>);
    const wrapped = { Events: original.map((e) => ({ EventId: e.eventID, EventName: e.eventName, EventTime: e.eventTime, CloudTrailEvent: JSON.stringify(e) })) };
    const dir = fixtureDir({ 'lookup.json': JSON.stringify(wrapped, null, 2) });
    const r = await storeWith([dir]);
    store = r.store;
    expect(r.files[0]).toMatchObject({ adapter: 'aws-cloudtrail', records: 3, rejected: 0 });
    const names = await store.all<{ native_action: string }>('SELECT native_action FROM events ORDER BY record_no');
    expect(names.map((x) => x.native_action)).toEqual(original.map((e) => `kms:${e.eventName}`));
  });

  it('records the GitHub repo/ref and issued key of AssumeRoleWithWebIdentity', async () => {
    const r = await storeWith([realdata('aws', 'cloud_snitch_test_events.ndjson')]);
    store = r.store;
    const row = await store.one<{ repo: string; ref: string; action: string; issued_credential_id: string | null }>(
      "SELECT repo, ref, action, issued_credential_id FROM events WHERE native_action = 'sts:AssumeRoleWithWebIdentity'",
    );
    expect(row).toBeDefined();
    expect(row!.action).toBe('credential.assume');
    expect(row!.repo).toMatch(/^[^/]+\/[^/]+$/);
    expect(row!.ref).toMatch(/^refs\//);
  });
});
