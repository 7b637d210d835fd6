import { Command } from 'commander';
import type { Row } from '../store/values.js';
import { openInvestigation, withCaseOptions, type CaseFlags } from './case-options.js';
import type { CliContext } from './context.js';

/** `sigtrail window --key …`: the exposure window and the evidence behind each bound. */
export function windowCommand(ctx: () => CliContext): Command {
  return withCaseOptions(new Command('window').description('exposure window of the key: earliest possible, first evidence, containment, last use, open'))
    .action(async (flags: CaseFlags) => {
      const c = ctx();
      const inv = await openInvestigation(c, flags);
      const w = await inv.window();
      const rows: Row[] = w.evidence.map((e) => ({ bound: e.bound, ts: e.ts, source: e.source, summary: e.summary, ref: e.ref, file: e.file, record_no: e.record_no }));
      c.out.document(w, { columns: ['bound', 'ts', 'source', 'summary', 'ref', 'file', 'record_no'], rows, title: `Exposure window${w.name ? ` — ${w.name}` : ''}` });
      if (c.out.format === 'table') {
        c.out.note(w.first_evidence === null && w.earliest_possible === null
          ? 'no evidence of misuse: no window'
          : `window ${w.earliest_possible ?? '?'} → ${w.open ? 'OPEN' : (w.contained_at ?? '?')}${w.open ? ' (no containment, or the key was used after it)' : ''}`);
      }
    });
}
