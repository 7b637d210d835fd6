/**
 * The program: registers the commands and maps every error to an exit code in one place
 * (0 ok, 1 runtime error or scan findings, 2 usage error). Commands never call process.exit.
 */
import { Command, CommanderError, Option } from 'commander';
import { accessCommand } from './commands/access.js';
import { anomaliesCommand } from './commands/anomalies.js';
import { CliContext, type GlobalOptions } from './commands/context.js';
import { demoCommand } from './commands/demo.js';
import { distrustCommand } from './commands/distrust.js';
import { ingestCommand } from './commands/ingest.js';
import { lateralCommand } from './commands/lateral.js';
import { queriesCommand, queryCommand } from './commands/queries.js';
import { rawCommand } from './commands/raw.js';
import { reportCommand } from './commands/report.js';
import { scanCommand } from './commands/scan.js';
import { sourcesCommand } from './commands/sources.js';
import { signedCommand } from './commands/signed.js';
import { shellCommand, sqlCommand } from './commands/sql.js';
import { timelineCommand } from './commands/timeline.js';
import { windowCommand } from './commands/window.js';
import { SigtrailError, isSigtrailError, messageOf } from './errors.js';
import { jsonLine } from './render/json.js';
import { FORMATS } from './render/output.js';
import { stripControl } from './render/sanitize.js';

export interface MainIO {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export function buildProgram(getCtx: () => CliContext): Command {
  const program = new Command('sigtrail')
    .description('forensic analyser for signing-key compromise: CI, transparency-log and cloud audit logs in one DuckDB store')
    .version('0.1.0')
    .addOption(new Option('--db <file>', 'case database (default: $SIGTRAIL_DB or ./sigtrail.duckdb)'))
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .option('--no-cache', 'do not keep or reuse investigations in <db>.cache (SIGTRAIL_NO_CACHE=1 too)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const commands = [
    ingestCommand, sourcesCommand, queriesCommand, queryCommand, sqlCommand, shellCommand, rawCommand, reportCommand, demoCommand,
    windowCommand, signedCommand, anomaliesCommand, lateralCommand, accessCommand, timelineCommand, distrustCommand,
    scanCommand,
  ];
  for (const make of commands) program.addCommand(make(getCtx).exitOverride());
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  let ctx: CliContext | undefined;
  const program = buildProgram(() => {
    ctx ??= CliContext.fromOptions(program.opts<GlobalOptions>(), io);
    return ctx;
  });
  const output = {
    writeOut: (s: string) => (io.stdout ?? process.stdout).write(s),
    writeErr: (s: string) => stderr.write(s),
  };
  // addCommand() does not pass output settings down, so each command gets them.
  for (const cmd of [program, ...program.commands]) cmd.configureOutput(output);
  try {
    await program.parseAsync(argv);
    await ctx?.finish();
    return ctx?.exitCode ?? 0;
  } catch (e) {
    return reportError(e, program.opts<GlobalOptions>().format, stderr);
  } finally {
    ctx?.close();
  }
}

/** The single place where an error becomes a message and an exit code. */
export function reportError(e: unknown, format: string | undefined, stderr: NodeJS.WritableStream): number {
  if (e instanceof CommanderError) {
    // Help and version "errors" are normal exits; commander already printed its usage message.
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    return 2;
  }
  const err = isSigtrailError(e) ? e : new SigtrailError('INTERNAL', messageOf(e), { cause: e });
  if (format === 'json' || format === 'ndjson') {
    stderr.write(jsonLine({ error: err.message, code: err.code, hint: err.hint ?? null }) + '\n');
  } else {
    stderr.write(`sigtrail: ${stripControl(err.message)}\n`);
    if (err.hint) stderr.write(`  hint: ${stripControl(err.hint)}\n`);
  }
  if (err.code === 'INTERNAL' && process.env.SIGTRAIL_DEBUG && e instanceof Error && e.stack) stderr.write(e.stack + '\n');
  return err.exitCode;
}
