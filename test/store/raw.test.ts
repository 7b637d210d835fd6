import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SigtrailError } from '../../src/errors.js';
import { ingest } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { rawRecord } from '../../src/store/raw.js';
import { cloudTrailRecord } from '../fixtures/cloudtrail.js';
import { fixtureDir } from '../helpers/paths.js';

let store: Store | undefined;
afterEach(() => store?.close());

describe('raw records', () => {
  const sign = cloudTrailRecord({ i: 1 });
  const other = cloudTrailRecord({ i: 2, eventSource: 's3.amazonaws.com', eventName: 'GetObject' });

  async function setup(): Promise<{ dir: string; file: string }> {
    const dir = fixtureDir({ 'wrapped.json': JSON.stringify({ Records: [sign, other] }, null, 2) });
    store = await Store.open(':memory:');
    await ingest(store, [dir]);
    return { dir, file: path.join(dir, 'wrapped.json') };
  }

  async function uid(name: string): Promise<string> {
    return (await store!.one<{ event_uid: string }>('SELECT event_uid FROM events WHERE native_action LIKE $1', [`%:${name}`]))!.event_uid;
  }

  it('keeps the whole record of a cited action in the database', async () => {
    await setup();
    const r = await rawRecord(store!, await uid('Sign'));
    expect(r).toMatchObject({ source: 'stored', record_no: 1, record: sign });
  });

  it('re-reads other records from the source file by record number', async () => {
    await setup();
    const r = await rawRecord(store!, await uid('GetObject'));
    expect(r).toMatchObject({ source: 'file', record_no: 2, record: other });
  });

  it('refuses to re-read from a file that changed since ingest', async () => {
    const { file } = await setup();
    const id = await uid('GetObject');
    fs.appendFileSync(file, '\n');
    const err = await rawRecord(store!, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigtrailError);
    expect((err as SigtrailError).code).toBe('VERIFICATION');
  });
});
