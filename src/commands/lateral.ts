import { Command } from 'commander';
import type { Row } from '../store/values.js';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

const JSON_COLUMNS = ['pivot', 'pivot_kind', 'ts', 'source', 'action', 'target', 'actor', 'native_action', 'outcome', 'issued_credential_id', 'event_uid', 'file', 'record_no'];
const TABLE_COLUMNS = ['ts', 'pivot_kind', 'pivot', 'source', 'action', 'target', 'actor', 'outcome'];

/** `sigtrail lateral --key …`: what else every suspicious actor, credential, address or run touched. */
export function lateralCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('lateral').description('for every suspicious actor, credential, address and CI run: other secrets, keys, roles and new credentials'))
    .action(async (flags: CaseFlags) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const rows = await inv.lateral();
      const columns = c.out.format === 'table' ? TABLE_COLUMNS : JSON_COLUMNS;
      c.out.rows(columns, rows as unknown as Row[], { title: 'Lateral activity', empty: 'no suspicious actor touched anything else' });
    });
}
