import { Command } from 'commander';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

/** `sigtrail distrust --key …`: the digests downstream consumers must reject. */
export function distrustCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('distrust').description('digests downstream consumers must reject: everything signed in the window that is not attested'))
    .option('--all-in-window', 'every digest signed in the window, attested or not')
    .action(async (flags: CaseFlags & { allInWindow?: boolean }) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const doc = await inv.distrust(flags.allInWindow ?? false);
      switch (c.out.format) {
        case 'json':
        case 'ndjson':
          c.out.document({ digests: doc.digests }, { columns: [], rows: [] });
          break;
        case 'table':
          // One digest per line: a file a verifier or admission policy can read as is.
          c.out.text(doc.digests);
          if (doc.digests.length === 0) c.out.note('nothing to distrust');
          break;
        default:
          c.out.rows(['digest', 'entries', 'verdicts'], doc.entries);
      }
    });
}
