import { Store } from '../../src/store/database.js';
import { ingest, type IngestOptions } from '../../src/ingest/pipeline.js';

/** An in-memory store with the given paths ingested. */
export async function storeWith(paths: string[], options: IngestOptions = {}): Promise<{ store: Store; files: Awaited<ReturnType<typeof ingest>>['files'] }> {
  const store = await Store.open(':memory:');
  const { files } = await ingest(store, paths, options);
  return { store, files };
}
