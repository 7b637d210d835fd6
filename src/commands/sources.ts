import { Command } from 'commander';
import { ADAPTERS } from '../sources/registry.js';
import type { CliContext } from './context.js';

export function sourcesCommand(ctx: () => CliContext): Command {
  return new Command('sources')
    .description('list the input adapters and what each reads')
    .action(() => {
      const rows = ADAPTERS.map((a) => ({ id: a.id, title: a.title, emits: [...a.emits], formats: a.formats.join('; ') }));
      ctx().out.rows(['id', 'title', 'emits', 'formats'], rows);
    });
}
