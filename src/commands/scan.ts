import fs from 'node:fs';
import { Command } from 'commander';
import { EXPECT_FLAGS } from '../case/spec.js';
import { SigtrailError, UsageError, isSigtrailError, messageOf } from '../errors.js';
import { progressReporter } from '../ingest/progress.js';
import { walk } from '../ingest/walk.js';
import { DEFAULT_TUNABLES } from '../scan/all-keys.js';
import { parseDuration } from '../scan/duration.js';
import { openExclusive } from '../scan/lock.js';
import { writeScanReport, csvRow, CSV_COLUMNS } from '../scan/report.js';
import { runScan, type ScanDocument, type ScanMode } from '../scan/run.js';
import { markDelivered } from '../scan/watermark.js';
import type { Row } from '../store/values.js';
import { caseFromFlags, optionsFromFlags, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

interface ScanFlags extends CaseFlags {
  allKeys?: boolean;
  ingest?: string[];
  since: string;
  report?: string;
  wait: string;
}

const TABLE_COLUMNS = ['ts', 'severity', 'rule', 'key', 'actor', 'summary'];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function modeFromFlags(flags: ScanFlags): ScanMode {
  const named = flags.key.length > 0 || flags.case !== undefined;
  if (named && flags.allKeys) throw new UsageError('--all-keys watches every key: do not combine it with --key or --case');
  const given: Record<string, string[]> = {
    [EXPECT_FLAGS.workflows]: flags.expectWorkflow, [EXPECT_FLAGS.refs]: flags.expectRef, [EXPECT_FLAGS.identities]: flags.expectIdentity,
    [EXPECT_FLAGS.issuers]: flags.expectIssuer, [EXPECT_FLAGS.principals]: flags.expectPrincipal,
  };
  const expects = Object.keys(given).filter((k) => given[k].length > 0);
  // Expectations describe one key; --all-keys learns what is usual from each key's baseline instead.
  if (!named && expects.length > 0) throw new UsageError(`${expects.join(', ')}: expectations need --key or --case`);
  return named ? { kind: 'case', spec: caseFromFlags(flags) } : { kind: 'all-keys' };
}

function seconds(value: string, flag: string, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > max) throw new UsageError(`${flag} must be a whole number of seconds up to ${max}, not "${value}"`);
  return Number(value);
}

/** Prints the new findings in the chosen format; notes go to stderr. */
function print(c: CliContext, doc: ScanDocument): void {
  const s = doc.scan;
  const ing = s.ingested;
  if (ing.files > 0) {
    c.out.note(`ingested ${ing.loaded} new file(s) (${ing.records} records, ${ing.rejected} rejected); ${ing.already_ingested} already ingested`
      + (ing.unrecognised + ing.failed > 0 ? `; ${ing.unrecognised} unrecognised, ${ing.failed} failed (see the rejects table)` : ''));
  }
  const since = s.first ? `first scan of ${s.scope}: judged records from ${s.judged_from ?? '(empty store)'}`
    : `judged files after #${s.after_file_id ?? 0} and records from ${s.judged_from ?? '-'}`;
  c.out.note(`scan #${s.scan_id}: ${since} (${s.judged.events} events, ${s.judged.signatures} signatures, ${s.judged.ci_runs} CI runs)`
    + (s.watched !== null ? `; watching ${s.watched} keys and signers` : ''));
  c.out.note(`${s.new_findings} new finding(s), ${s.seen_before} reported before` + (s.baselined ? `, ${s.baselined} recorded as baseline` : '')
    + (s.redelivered_from.length ? `; re-delivering the findings of interrupted scan(s) ${s.redelivered_from.map((i) => `#${i}`).join(', ')}` : '')
    + ` (${s.seconds} s)`);
  switch (c.out.format) {
    case 'json':
      c.out.document(doc, { columns: [], rows: [] });
      return;
    case 'ndjson':
      c.out.rows(Object.keys(doc.findings[0] ?? {}), doc.findings as unknown as Row[]);
      return;
    case 'csv':
    case 'arrow':
      c.out.rows(CSV_COLUMNS, doc.findings.map(csvRow));
      return;
    case 'table':
      c.out.rows(TABLE_COLUMNS, doc.findings as unknown as Row[], { title: 'New findings', empty: 'no new findings' });
  }
}

/**
 * `sigtrail scan`: the nightly mode. Exit 0 when there is nothing new, 1 when there are new
 * findings, 2 on any error (usage or runtime) — so a scheduler can tell "alert" from "broken".
 */
export function scanCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('scan').description('nightly mode: ingest new files, report only new findings (exit 1 when there are any)'))
    .option('--all-keys', 'watch every key and signer in the store (the default without --key/--case)')
    .option('--ingest <path...>', 'files or folders to ingest first (already-ingested files are skipped by sha256; repeatable)', (v: string, p?: string[]) => collect(v, p))
    .option('--since <duration>', 'also judge records timed within this period before the newest record (first scan: only these)', '24h')
    .option('--report <dir>', 'also write findings.json and findings.csv of the new findings into this folder')
    .option('--wait <seconds>', 'wait this long for another sigtrail process to release the database', '60')
    .action(async (flags: ScanFlags) => {
      const c = ctx();
      try {
        const mode = modeFromFlags(flags);
        const sinceSeconds = parseDuration(flags.since);
        const waitSeconds = seconds(flags.wait, '--wait', 86_400);
        const analysis = optionsFromFlags(flags);
        for (const p of flags.ingest ?? []) if (!fs.existsSync(p)) throw new UsageError(`--ingest: no such file or folder: ${p}`);
        const store = await openExclusive(c.dbPath, () => c.openStore(), { waitSeconds, onBusy: (m) => c.out.note(m) });
        const totalBytes = flags.ingest?.length ? walk(flags.ingest).files.reduce((n, p) => n + fs.statSync(p).size, 0) : 0;
        const progress = progressReporter(process.stderr, totalBytes);
        let outcome;
        try {
          outcome = await runScan(store, {
            mode, ingest: flags.ingest, sinceSeconds, caseOptions: analysis, onIngestFile: progress.onFile,
            tunables: {
              ...DEFAULT_TUNABLES,
              baselineDays: analysis.baselineDays ?? DEFAULT_TUNABLES.baselineDays,
              logDelaySeconds: analysis.logDelaySeconds ?? DEFAULT_TUNABLES.logDelaySeconds,
              pairWindowSeconds: analysis.pairWindowSeconds ?? DEFAULT_TUNABLES.pairWindowSeconds,
            },
          });
        } finally {
          progress.stop();
        }
        for (const f of outcome.ingestOutcomes.files) {
          if (f.status === 'unrecognised' || f.status === 'failed') c.out.warn(`${f.status}: ${f.path}: ${f.message ?? ''}`);
        }
        if (mode.kind === 'case' && outcome.doc.scan.first) c.out.note('first scan of this case: older findings are recorded as its baseline (see `sigtrail anomalies` for them)');
        print(c, outcome.doc);
        if (flags.report) {
          const files = await writeScanReport(flags.report, outcome.doc);
          c.out.note(`wrote ${files.join(', ')} to ${flags.report}`);
        }
        await markDelivered(store, outcome.deliver);
        c.exitCode = outcome.doc.findings.length > 0 ? 1 : 0;
      } catch (e) {
        // 1 means "new findings" for scan: every error, usage or runtime, exits 2.
        if (isSigtrailError(e)) throw new SigtrailError(e.code, e.message, { cause: e.cause ?? e, hint: e.hint, exitCode: 2 });
        throw new SigtrailError('INTERNAL', messageOf(e), { cause: e, exitCode: 2 });
      }
    });
}
