import { Command } from 'commander';
import { rawRecord } from '../store/raw.js';
import type { CliContext } from './context.js';

export function rawCommand(ctx: () => CliContext): Command {
  return new Command('raw')
    .description('print the original record behind an event (event_uid) or signature (entry_uuid), re-read from its verified source file when not stored')
    .argument('<id>', 'event_uid or entry_uuid')
    .action(async (id: string) => {
      const c = ctx();
      const store = await c.openStore({ readOnly: true });
      const r = await rawRecord(store, id);
      c.out.note(`${r.path} record ${r.record_no} (${r.source === 'stored' ? 'kept in the database' : 're-read, sha256 verified'})`);
      c.out.document(r.record, { columns: ['record'], rows: [{ record: JSON.stringify(r.record) }] });
    });
}
