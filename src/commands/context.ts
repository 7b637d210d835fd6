/** What every command receives from the program: the output module and the database location. */
import { caseCacheDir, clearCaseCache } from '../analyses/cache.js';
import { Output, parseFormat } from '../render/output.js';
import { Store, resolveDbPath, type OpenOptions } from '../store/database.js';

export interface GlobalOptions {
  db?: string;
  format?: string;
  color?: boolean;
  /** false with --no-cache: investigations neither read nor write `<db>.cache`. */
  cache?: boolean;
}

export class CliContext {
  /** Set by commands whose exit code depends on their result (scan: 1 when there are new findings). */
  exitCode = 0;
  private stores: Store[] = [];
  private finishers: (() => Promise<unknown>)[] = [];

  constructor(
    readonly out: Output,
    readonly dbPath: string,
    /** Where investigations keep their derived tables between commands (null: nowhere). */
    readonly cacheDir: string | null = null,
  ) {}

  static fromOptions(g: GlobalOptions, io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): CliContext {
    const format = parseFormat(g.format);
    const stdout = (io.stdout ?? process.stdout) as NodeJS.WriteStream;
    const color = g.color !== false && !process.env.NO_COLOR && Boolean(stdout.isTTY) && format === 'table';
    return new CliContext(
      new Output({ format, color, stdout: io.stdout as never, stderr: io.stderr as never }),
      resolveDbPath(g.db),
      caseCacheDir(resolveDbPath(g.db), g.cache !== false),
    );
  }

  /**
   * Opens the case database; closed by the program when the command ends. Opening it for writing
   * drops the case cache: whatever the command changes, no cached investigation may outlive it.
   */
  async openStore(options: OpenOptions = {}): Promise<Store> {
    const store = await Store.open(this.dbPath, options);
    this.stores.push(store);
    if (!options.readOnly && this.dbPath !== ':memory:') clearCaseCache(this.dbPath);
    return store;
  }

  /** Work to do after the command succeeded and before the database closes (saving the case cache). */
  onSuccess(fn: () => Promise<unknown>): void {
    this.finishers.push(fn);
  }

  /** Runs the onSuccess work; it is an optimisation, so its failures are not the command's. */
  async finish(): Promise<void> {
    for (const fn of this.finishers.splice(0)) {
      try {
        await fn();
      } catch {
        // the next command recomputes what could not be kept
      }
    }
  }

  close(): void {
    for (const s of this.stores) s.close();
    this.stores = [];
  }
}
