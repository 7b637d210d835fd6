import { Command } from 'commander';
import type { Row } from '../store/values.js';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

const COLUMNS = ['kind', 'who', 'expected', 'actions', 'first_seen', 'last_seen', 'count', 'failed', 'sources'];

/** `sigtrail access --key …`: who read, was passed, or used the key — the list to review and re-enrol. */
export function accessCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('access').description('principals, credentials, workflows and identities that read, were passed, or used the key'))
    .action(async (flags: CaseFlags) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const rows = await inv.access();
      c.out.rows(COLUMNS, rows as unknown as Row[], { title: 'Access to the key', empty: 'no recorded access to the key' });
    });
}
