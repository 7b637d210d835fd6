/**
 * Typed errors. Commands throw; one handler in cli.ts maps them to exit codes and one-line messages.
 * Each error carries a closed string code so tests (and `--format json` consumers) can assert it.
 */

export type ErrorCode =
  | 'USAGE' // bad flag, argument, selector or case file
  | 'NOT_FOUND' // a path, query id or record that does not exist
  | 'UNRECOGNISED_INPUT' // no adapter recognises a file
  | 'STRICT_REJECTS' // --strict and some records were rejected
  | 'DATABASE' // DuckDB refused an operation
  | 'DATABASE_LOCKED' // another sigtrail process holds the database
  | 'SCHEMA' // the database was written by a newer sigtrail
  | 'SQL' // a user-supplied SQL statement failed
  | 'INPUT_LIMIT' // an input exceeded a configured resource cap
  | 'VERIFICATION' // transparency-log evidence failed to verify
  | 'INTERNAL';

export class SigtrailError extends Error {
  readonly code: ErrorCode;
  /** Exit code for the process: 2 for usage errors, 1 otherwise. */
  readonly exitCode: number;
  /** An optional second line that tells the user what to do. */
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hint?: string; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SigtrailError';
    this.code = code;
    // `scan` exits 2 on any error, because its 1 means "new findings" (see docs/scan.md).
    this.exitCode = options.exitCode ?? (code === 'USAGE' ? 2 : 1);
    this.hint = options.hint;
  }
}

export class UsageError extends SigtrailError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('USAGE', message, options);
    this.name = 'UsageError';
  }
}

export function isSigtrailError(e: unknown): e is SigtrailError {
  return e instanceof SigtrailError;
}

/** The message of any thrown value, without a stack. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
