import readline from 'node:readline';
import { Command } from 'commander';
import { SigtrailError, messageOf } from '../errors.js';
import type { Store } from '../store/database.js';
import type { CliContext } from './context.js';

async function runSql(c: CliContext, store: Store, sql: string): Promise<void> {
  try {
    const { columns, rows } = await store.table(sql);
    c.out.rows(columns, rows);
  } catch (e) {
    throw new SigtrailError('SQL', messageOf(e).replace(/^query failed: /, ''), { cause: e });
  }
}

export function sqlCommand(ctx: () => CliContext): Command {
  return new Command('sql')
    .description('run ad-hoc SQL over the case database (read-only unless --write)')
    .argument('<sql>', 'one SQL statement')
    .option('--write', 'allow statements that change the database')
    .action(async (sql: string, flags: { write?: boolean }) => {
      const c = ctx();
      const store = await c.openStore({ readOnly: !flags.write });
      await runSql(c, store, sql);
    });
}

const TABLES_SQL = "SELECT table_name AS name, estimated_size AS rows FROM duckdb_tables() WHERE schema_name = 'main' AND NOT internal ORDER BY table_name";

/** Handles a dot-command; returns false for .quit. */
async function dotCommand(c: CliContext, store: Store, line: string): Promise<boolean> {
  const [cmd, arg] = line.trim().split(/\s+/, 2);
  switch (cmd) {
    case '.quit':
    case '.exit':
      return false;
    case '.tables':
      await runSql(c, store, TABLES_SQL);
      return true;
    case '.schema': {
      const { columns, rows } = await store.table(
        `SELECT table_name AS "table", column_name AS "column", data_type AS type FROM information_schema.columns
         WHERE table_schema = 'main' AND ($1::VARCHAR IS NULL OR table_name = $1) ORDER BY table_name, ordinal_position`,
        [arg ?? null],
      );
      c.out.rows(columns, rows);
      return true;
    }
    case '.help':
      c.out.note('.tables  .schema [table]  .quit — anything else is SQL, ended by ;');
      return true;
    default:
      c.out.warn(`unknown command ${cmd ?? ''} (try .help)`);
      return true;
  }
}

export function shellCommand(ctx: () => CliContext): Command {
  return new Command('shell')
    .description('interactive SQL over the case database (.tables, .schema, .quit)')
    .option('--write', 'allow statements that change the database')
    .action(async (flags: { write?: boolean }) => {
      const c = ctx();
      const store = await c.openStore({ readOnly: !flags.write });
      const interactive = Boolean(process.stdin.isTTY);
      const rl = readline.createInterface({ input: process.stdin, output: interactive ? process.stderr : undefined, terminal: interactive });
      if (interactive) c.out.note(`sigtrail shell on ${c.dbPath} — .help for commands`);
      let buffer = '';
      rl.setPrompt('sigtrail> ');
      if (interactive) rl.prompt();
      for await (const line of rl) {
        if (buffer === '' && line.trim().startsWith('.')) {
          if (!(await dotCommand(c, store, line))) break;
        } else {
          buffer += (buffer ? '\n' : '') + line;
          if (buffer.trim().endsWith(';')) {
            const sql = buffer;
            buffer = '';
            try {
              await runSql(c, store, sql);
            } catch (e) {
              // In the shell a bad statement is reported and the session goes on.
              c.out.warn(`error: ${messageOf(e)}`);
            }
          }
        }
        rl.setPrompt(buffer ? '     ...> ' : 'sigtrail> ');
        if (interactive) rl.prompt();
      }
      rl.close();
    });
}
