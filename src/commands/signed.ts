import { Command } from 'commander';
import type { Row } from '../store/values.js';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

const JSON_COLUMNS = ['log_index', 'entry_uuid', 'integrated_time', 'artifact_digest', 'subjects', 'signer', 'key_fingerprint', 'run_id', 'verdict', 'reasons', 'mode', 'rules', 'file', 'record_no'];
const TABLE_COLUMNS = ['integrated_time', 'verdict', 'artifact_digest', 'signer', 'run_id', 'log_index', 'reasons'];

/** `sigtrail signed --key …`: every artefact signed in the window, with a verdict and reasons. */
export function signedCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('signed').description('every artefact signed with the key in the window, with verdicts (attested / unattested / anomalous)'))
    .option('--from <time>', 'list from this time instead of the window start (ISO-8601)')
    .option('--to <time>', 'list up to this time instead of the window end (ISO-8601)')
    .action(async (flags: CaseFlags & { from?: string; to?: string }) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const rows = await inv.signed();
      const columns = c.out.format === 'table' ? TABLE_COLUMNS : JSON_COLUMNS;
      c.out.rows(columns, rows as unknown as Row[], { title: 'Signed with the key', empty: 'no signatures on the key in the range' });
      if (c.out.format === 'table' && rows.length > 0) {
        const n = (v: string): number => rows.filter((r) => r.verdict === v).length;
        c.out.note(`${rows.length} signature(s): ${n('attested')} attested, ${n('unattested')} unattested, ${n('anomalous')} anomalous`);
      }
    });
}
