/** What every command receives from the program: the output module and the database location. */
import { Output, parseFormat } from '../render/output.js';
import { Store, resolveDbPath, type OpenOptions } from '../store/database.js';

export interface GlobalOptions {
  db?: string;
  format?: string;
  color?: boolean;
}

export class CliContext {
  /** Set by commands whose exit code depends on their result (scan: 1 when there are new findings). */
  exitCode = 0;
  private stores: Store[] = [];

  constructor(
    readonly out: Output,
    readonly dbPath: string,
  ) {}

  static fromOptions(g: GlobalOptions, io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): CliContext {
    const format = parseFormat(g.format);
    const stdout = (io.stdout ?? process.stdout) as NodeJS.WriteStream;
    const color = g.color !== false && !process.env.NO_COLOR && Boolean(stdout.isTTY) && format === 'table';
    return new CliContext(
      new Output({ format, color, stdout: io.stdout as never, stderr: io.stderr as never }),
      resolveDbPath(g.db),
    );
  }

  /** Opens the case database; closed by the program when the command ends. */
  async openStore(options: OpenOptions = {}): Promise<Store> {
    const store = await Store.open(this.dbPath, options);
    this.stores.push(store);
    return store;
  }

  close(): void {
    for (const s of this.stores) s.close();
    this.stores = [];
  }
}
