import { Command } from 'commander';
import type { Row } from '../store/values.js';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

const JSON_COLUMNS = ['ts', 'source', 'action', 'native_action', 'outcome', 'actor', 'target', 'detail', 'rules', 'ref', 'file', 'record_no'];
const TABLE_COLUMNS = ['ts', 'source', 'action', 'outcome', 'actor', 'target', 'detail', 'rules'];

/** `sigtrail timeline --key …`: one merged, time-ordered timeline across sources. */
export function timelineCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('timeline').description('one merged, time-ordered timeline of the case across sources, with evidence pointers'))
    .option('--from <time>', 'start here instead of the window start (ISO-8601)')
    .option('--to <time>', 'end here (ISO-8601)')
    .action(async (flags: CaseFlags & { from?: string; to?: string }) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const rows = await inv.timeline();
      const columns = c.out.format === 'table' ? TABLE_COLUMNS : JSON_COLUMNS;
      c.out.rows(columns, rows as unknown as Row[], { title: 'Timeline', empty: 'nothing on the key in the range' });
    });
}
