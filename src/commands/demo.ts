import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadAnalyses } from '../analyses/registry.js';
import { SigtrailError } from '../errors.js';
import { ingest } from '../ingest/pipeline.js';
import { TrustedLogs } from '../sigstore/trusted-root.js';
import { Store } from '../store/database.js';
import type { CliContext } from './context.js';
import { summarise, summaryColumns } from './ingest.js';

/** The folders of samples/ that hold the incident's logs. */
export const DEMO_INPUTS = ['aws', 'github', 'sigstore', 'vault'] as const;

/** samples/ beside src/ or dist/. */
export function samplesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples');
}

export function demoCommand(ctx: () => CliContext): Command {
  return new Command('demo')
    .description('ingest the demo incident in samples/ into a fresh database and investigate it')
    .option('--out <dir>', 'where to write the database and report', 'demo-out')
    .action(async (flags: { out: string }) => {
      const c = ctx();
      const dir = samplesDir();
      if (!fs.existsSync(dir)) throw new SigtrailError('NOT_FOUND', `no samples folder at ${dir}`);
      fs.mkdirSync(flags.out, { recursive: true });
      const dbPath = path.join(flags.out, 'demo.duckdb');
      for (const f of [dbPath, `${dbPath}.wal`]) fs.rmSync(f, { force: true });
      const store = await Store.open(dbPath);
      try {
        // Only the log folders are inputs; case.json, the trust root and the generator are not logs.
        const inputs = DEMO_INPUTS.map((d) => path.join(dir, d));
        // The demo's transparency log is its own (samples/trust), so its proofs verify offline.
        const trustedLogs = TrustedLogs.load([path.join(dir, 'trust', 'trusted_root.json'), 'public-good']);
        c.out.note(`ingesting ${inputs.map((p) => path.relative(process.cwd(), p)).join(' ')} into ${dbPath}`);
        const result = await ingest(store, inputs, { trustedLogs });
        c.out.rows(summaryColumns(result.files), summarise(result.files), {
          title: 'Ingested',
          empty: 'samples/ is empty',
        });
        if (loadAnalyses().length === 0) c.out.note('no analyses yet');
      } finally {
        store.close();
      }
    });
}
