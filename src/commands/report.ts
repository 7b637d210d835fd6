import path from 'node:path';
import { Command } from 'commander';
import { reportModel } from '../report/from-investigation.js';
import { writeReport } from '../report/write.js';
import { UsageError } from '../errors.js';
import { caseFromFlags, openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

/** `sigtrail report --key … --out <dir>`: report.html, one CSV per analysis, findings.json. */
export function reportCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('report').description('write the postmortem: report.html (self-contained), one CSV per analysis, findings.json'))
    .option('--out <dir>', 'output folder (created when missing)')
    .option('--all-in-window', 'distrust every digest signed in the window, not only the unattested')
    .action(async (flags: CaseFlags & { out?: string; allInWindow?: boolean }) => {
      if (!flags.out) throw new UsageError('report needs --out <dir>');
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const result = await inv.all();
      const model = await reportModel(inv.store, caseFromFlags(flags), result, Number(flags.baselineDays ?? 30));
      const { files } = await writeReport(flags.out, model);
      c.out.rows(['file'], files.map((f) => ({ file: path.join(flags.out!, path.basename(f)) })), { title: 'Report written' });
    });
}
