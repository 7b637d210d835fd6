/**
 * One nightly scan, end to end:
 *
 *   1. a `running` row in `scans` (earlier `running` rows are marked `interrupted`)
 *   2. ingest the new files (--ingest): files whose sha256 is already loaded are skipped, and each
 *      file is its own transaction, so a kill here loses at most the file being loaded
 *   3. the range: rows of files after the previous scan's watermark, and rows timed inside --since
 *   4. the rules: store-wide (all-keys.ts + queries/scan/) or the case's investigation
 *   5. one transaction: findings upserted (dedupe.ts) and the watermark advanced (`committed`)
 *   6. the caller writes the output, then marks the scan `done`; a scan killed between 5 and 6 has
 *      its findings delivered again by the next scan (at least once: an alert is never lost)
 *
 * The caller holds the database's write lock for the whole run (lock.ts).
 */
import { performance } from 'node:perf_hooks';
import type { InvestigateOptions } from '../analyses/investigate.js';
import type { CaseSpec } from '../case/spec.js';
import { ingest, type IngestOptions } from '../ingest/pipeline.js';
import type { Store } from '../store/database.js';
import { buildScanTables, judgedCounts, watchedKeys, type JudgedCounts, type ScanTunables } from './all-keys.js';
import { caseScope, runCaseRules, touchesJudgedRows } from './case-rules.js';
import { findingsOfScans, recordFindings } from './dedupe.js';
import { runStoreRules } from './store-rules.js';
import type { ScanFinding } from './types.js';
import { beginScan, commitScan, markFailed, previousScan, scanRange, undeliveredScans } from './watermark.js';

export type ScanMode = { kind: 'all-keys' } | { kind: 'case'; spec: CaseSpec };

export interface ScanOptions {
  mode: ScanMode;
  /** Files and folders to ingest first (already-ingested files are skipped by sha256). */
  ingest?: readonly string[];
  /** Also judge rows timed within this many seconds before the newest record (default 24 h). */
  sinceSeconds?: number;
  tunables: ScanTunables;
  /** Case mode: the investigation's other tunables (key age, gap hours). */
  caseOptions?: InvestigateOptions;
  onIngestFile?: IngestOptions['onFile'];
}

export interface IngestSummary {
  files: number;
  loaded: number;
  already_ingested: number;
  unrecognised: number;
  failed: number;
  records: number;
  inserted: number;
  rejected: number;
}

/** The scan's result: `--format json` prints it whole; findings.json in --report is this. */
export interface ScanDocument {
  scan: {
    scan_id: number;
    scope: string;
    first: boolean;
    /** Rows of files after this file_id were new (null on a first scan). */
    after_file_id: number | null;
    /** Rows timed at or after this were judged too. */
    judged_from: string | null;
    newest: string | null;
    ingested: IngestSummary;
    judged: JudgedCounts;
    /** --all-keys: keys and signers in the store. */
    watched: number | null;
    new_findings: number;
    seen_before: number;
    baselined: number;
    /** Scans killed after storing findings whose findings this output delivers again. */
    redelivered_from: number[];
    seconds: number;
    timings_ms: Record<string, number>;
  };
  /** New findings only (and re-delivered ones, with their scan_id). */
  findings: ScanFinding[];
}

export interface ScanOutcome {
  doc: ScanDocument;
  /** Scans to mark `done` once the output is written. */
  deliver: number[];
  ingestOutcomes: Awaited<ReturnType<typeof ingest>>;
}

/** The scope a mode keeps its watermark under. */
export function scanScope(mode: ScanMode): string {
  return mode.kind === 'all-keys' ? 'all-keys' : `case:${caseScope(mode.spec)}`;
}

function summariseIngest(r: Awaited<ReturnType<typeof ingest>>): IngestSummary {
  const n = (s: string): number => r.files.filter((f) => f.status === s).length;
  const sum = (k: 'records' | 'inserted' | 'rejected'): number => r.files.filter((f) => f.status !== 'already-ingested').reduce((a, f) => a + f[k], 0);
  return {
    files: r.files.length, loaded: n('loaded'), already_ingested: n('already-ingested'), unrecognised: n('unrecognised'), failed: n('failed'),
    records: sum('records'), inserted: sum('inserted'), rejected: sum('rejected'),
  };
}

/** Runs steps 1–5 on a store opened for writing; see the file comment. */
export async function runScan(store: Store, options: ScanOptions): Promise<ScanOutcome> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings[step] = Math.round(performance.now() - t);
    }
  };
  const scope = scanScope(options.mode);
  const scanId = await beginScan(store, scope);
  try {
    const redeliver = await undeliveredScans(store, scope, scanId);
    const ingested = options.ingest?.length
      ? await timed('ingest', () => ingest(store, options.ingest!, { onFile: options.onIngestFile }))
      : { files: [], skipped: [] };
    const previous = await previousScan(store, scope);
    const range = await scanRange(store, previous, options.sinceSeconds ?? 86_400);
    const judged = await judgedCounts(store, range);

    let findings: ScanFinding[] = [];
    let report: (f: ScanFinding) => boolean = () => true;
    let watched: number | null = null;
    const ruleTimings: Record<string, number> = {};
    if (options.mode.kind === 'all-keys') {
      if (await timed('scan_tables', () => buildScanTables(store, range, options.tunables))) {
        findings = await timed('rules', () => runStoreRules(store, ruleTimings));
      }
      watched = (await timed('watched', () => watchedKeys(store))).length;
    } else {
      const spec = options.mode.spec;
      const caseOptions = { ...options.caseOptions, baselineDays: options.tunables.baselineDays, logDelaySeconds: options.tunables.logDelaySeconds,
        pairWindowSeconds: options.tunables.pairWindowSeconds, clockSkewSeconds: options.tunables.clockSkewSeconds, jobMaxHours: options.tunables.jobMaxHours };
      findings = await timed('rules', () => runCaseRules(store, spec, caseOptions, ruleTimings));
      if (range.first) {
        // The first scan of a case reports what the --since window supports; the rest of history is its baseline.
        const current = await touchesJudgedRows(store, findings, range);
        report = (f) => current.has(f.fingerprint);
      }
    }

    const outcome = await timed('commit', () => store.transaction(async () => {
      const r = await recordFindings(store, scanId, findings, report);
      await commitScan(store, scanId, range, { newFindings: r.fresh.length, ingestedFiles: ingested.files.filter((f) => f.status === 'loaded').length });
      return r;
    }));
    const again = await findingsOfScans(store, redeliver);
    return {
      doc: {
        scan: {
          scan_id: scanId, scope, first: range.first, after_file_id: range.fileWatermark, judged_from: range.judgedFrom, newest: range.newest,
          ingested: summariseIngest(ingested), judged, watched, new_findings: outcome.fresh.length, seen_before: outcome.seen,
          baselined: outcome.baselined, redelivered_from: redeliver, seconds: Math.round(performance.now() - t0) / 1000,
          timings_ms: { ...timings, ...Object.fromEntries(Object.entries(ruleTimings).map(([k, v]) => [k, Math.round(v)])) },
        },
        findings: [...again, ...outcome.fresh],
      },
      deliver: [scanId, ...redeliver],
      ingestOutcomes: ingested,
    };
  } catch (e) {
    await markFailed(store, scanId);
    throw e;
  }
}
