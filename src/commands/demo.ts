import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { Investigation } from '../analyses/investigate.js';
import { buildCase } from '../case/spec.js';
import { SigtrailError } from '../errors.js';
import { ingest } from '../ingest/pipeline.js';
import { reportModel } from '../report/from-investigation.js';
import { writeReport } from '../report/write.js';
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

/**
 * `sigtrail demo`: the whole investigation of the demo incident in one command — a fresh
 * database, ingest, the analyses with samples/case.json, the summary tables and report.html.
 */
export function demoCommand(ctx: () => CliContext): Command {
  return new Command('demo')
    .description('ingest the demo incident in samples/ into a fresh database, investigate it and write its report')
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
        c.out.rows(summaryColumns(result.files), summarise(result.files), { title: 'Ingested', empty: 'samples/ is empty' });

        const spec = buildCase({ caseFile: path.join(dir, 'case.json') });
        c.out.note(`investigating the case in ${path.relative(process.cwd(), path.join(dir, 'case.json'))}: ${spec.name ?? ''}`);
        const inv = new Investigation(store, spec, {});
        const all = await inv.all();
        const w = all.window;
        c.out.rows(['bound', 'ts', 'source', 'summary'], w.evidence.map((e) => ({ bound: e.bound, ts: e.ts, source: e.source, summary: e.summary })), {
          title: `\nExposure window: ${w.earliest_possible ?? '?'} → ${w.open ? 'OPEN' : (w.contained_at ?? '?')}`,
        });
        const unattested = all.signed.filter((s) => s.verdict !== 'attested');
        c.out.rows(['integrated_time', 'log_index', 'artifact_digest', 'signer', 'verdict'], unattested.map((s) => ({ integrated_time: s.integrated_time, log_index: s.log_index, artifact_digest: s.artifact_digest, signer: s.signer, verdict: s.verdict })), {
          title: `\nSignatures not attested by a sanctioned build (${unattested.length} of ${all.signed.length})`,
          empty: 'none',
        });
        c.out.rows(['rule', 'severity', 'ts', 'actor', 'summary'], all.findings.map((f) => ({ rule: f.rule, severity: f.severity, ts: f.ts, actor: f.actor, summary: f.summary })), { title: `\nFindings (${all.findings.length})`, empty: 'none' });
        c.out.rows(['ts', 'pivot', 'action', 'target', 'source'], all.lateral.map((l) => ({ ts: l.ts, pivot: l.pivot, action: l.action, target: l.target, source: l.source })), { title: '\nWhere else the attacker went (lateral)', empty: 'none' });
        const reportDir = path.join(flags.out, 'report');
        await writeReport(reportDir, await reportModel(store, spec, all, 30));
        c.out.note(`\nreport: ${path.join(reportDir, 'report.html')}  (CSV per analysis and findings.json beside it)`);
        c.out.note(`explore further: sigtrail --db ${dbPath} shell`);
      } finally {
        store.close();
      }
    });
}
