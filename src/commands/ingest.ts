import fs from 'node:fs';
import { Command } from 'commander';
import { SigtrailError } from '../errors.js';
import { ingest, type FileOutcome } from '../ingest/pipeline.js';
import { progressReporter } from '../ingest/progress.js';
import { walk } from '../ingest/walk.js';
import { TrustedLogs } from '../sigstore/trusted-root.js';
import type { Row } from '../store/values.js';
import type { CliContext } from './context.js';

interface IngestFlags {
  source?: string;
  strict?: boolean;
  files?: boolean;
  trustedRoot: string[];
}

/** Per-source totals for the summary table. */
export function summarise(files: readonly FileOutcome[]): Row[] {
  const by = new Map<string, Row & { files: number; records: number; inserted: number; duplicates: number; rejected: number; merged: number; seconds: number }>();
  for (const f of files) {
    const key = f.status === 'already-ingested' ? `${f.adapter ?? '?'} (already ingested)` : (f.adapter ?? `(${f.status})`);
    const row = by.get(key) ?? { source: key, files: 0, records: 0, inserted: 0, duplicates: 0, rejected: 0, merged: 0, seconds: 0 };
    row.files += 1;
    row.records += f.records;
    row.inserted += f.inserted;
    row.duplicates += f.duplicates;
    row.rejected += f.rejected;
    row.merged += f.merged ?? 0;
    row.seconds = Math.round((row.seconds + f.seconds) * 100) / 100;
    by.set(key, row);
  }
  return [...by.values()];
}

/** The summary table's columns: `merged` only when some file folded records together. */
export function summaryColumns(files: readonly FileOutcome[]): string[] {
  const merged = files.some((f) => (f.merged ?? 0) > 0) ? ['merged'] : [];
  return ['source', 'files', 'records', 'inserted', 'duplicates', 'rejected', ...merged, 'seconds'];
}

export function ingestCommand(ctx: () => CliContext): Command {
  return new Command('ingest')
    .description('load log files and folders (recursive, plain or .gz) into the case database')
    .argument('<path...>', 'files or folders to ingest')
    .option('--source <id>', 'force an adapter instead of detecting by content (see `sigtrail sources`)')
    .option('--strict', 'exit 1 when any record is rejected')
    .option('--files', 'list every file, not only the per-source summary')
    .option(
      '--trusted-root <file>',
      'transparency-log keys to verify against, instead of the shipped Sigstore public-good and staging roots: a trusted_root.json, a PEM log key, or public-good / staging (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .action(async (paths: string[], flags: IngestFlags) => {
      const c = ctx();
      // Read before the database is touched, so a bad --trusted-root is a usage error and nothing else.
      const trustedLogs = flags.trustedRoot.length > 0 ? TrustedLogs.load(flags.trustedRoot) : undefined;
      const store = await c.openStore();
      const totalBytes = walk(paths).files.reduce((n, p) => n + fs.statSync(p).size, 0);
      const progress = progressReporter(process.stderr, totalBytes);
      let result;
      try {
        result = await ingest(store, paths, { source: flags.source, trustedLogs, onFile: progress.onFile });
      } finally {
        progress.stop();
      }
      for (const s of result.skipped) c.out.note(`skipped ${s.path}: ${s.reason}`);
      for (const f of result.files) {
        if (f.status === 'unrecognised' || f.status === 'failed') c.out.warn(`${f.status}: ${f.path}: ${f.message ?? ''}`);
      }
      // `merged` (records folded into another record's event, e.g. Vault response lines) only when there are any.
      const merged = result.files.some((f) => (f.merged ?? 0) > 0) ? ['merged'] : [];
      if (flags.files) {
        const rows = result.files.map((f) => ({ ...f, merged: f.merged ?? 0 }));
        c.out.rows(['path', 'adapter', 'status', 'records', 'inserted', 'duplicates', 'rejected', ...merged, 'seconds'], rows);
      } else {
        c.out.rows(summaryColumns(result.files), summarise(result.files), {
          empty: 'no files found',
        });
      }
      const rejected = result.files.reduce((n, f) => n + f.rejected, 0);
      if (rejected > 0) c.out.note(`${rejected} record(s) rejected: see \`sigtrail sql "SELECT * FROM rejects"\``);
      if (flags.strict && rejected > 0) {
        throw new SigtrailError('STRICT_REJECTS', `--strict: ${rejected} record(s) rejected`);
      }
    });
}
