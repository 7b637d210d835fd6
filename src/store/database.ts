/**
 * The case database: one DuckDB file per investigation.
 *
 * Every value a user or a log supplies reaches SQL as a bound parameter (`$1`, `$2`, …); the only
 * SQL text built at run time comes from sigtrail's own constants. Results pass through
 * `normaliseRow` so callers never see DuckDB's value classes.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DuckDBInstance,
  VARCHAR,
  LIST,
  listValue,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { SigtrailError } from '../errors.js';
import { MACROS } from './macros.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { normaliseRow, type Row } from './values.js';

export type Param = string | number | bigint | boolean | null | readonly string[];

/**
 * DuckDB's memory_limit when neither `memoryLimit` nor $SIGTRAIL_MEMORY_LIMIT says otherwise.
 * The limit covers DuckDB's buffer pool only: Node, DuckDB's allocations outside the pool
 * (per-thread JSON parsing, query state) and allocator slack add 0.25-0.5 GB on top, and 2 GB let
 * a 10M-record ingest peak at 2.47 GB RSS. With 1 GB, one sigtrail process stays under 2 GB: a
 * larger load spills to `<db>.tmp` next to the database, and 1M-record ingests run no slower.
 */
export const DEFAULT_MEMORY_LIMIT = '1GB';

export interface OpenOptions {
  /** Open without write access (several readers may share a file). */
  readOnly?: boolean;
  /** DuckDB memory_limit, e.g. "2GB"; spills to disk beyond it (default: DEFAULT_MEMORY_LIMIT). */
  memoryLimit?: string;
  /** DuckDB threads (default: all cores). */
  threads?: number;
}

/** Default database path: --db, else $SIGTRAIL_DB, else ./sigtrail.duckdb. */
export function resolveDbPath(flag?: string): string {
  return flag ?? process.env.SIGTRAIL_DB ?? 'sigtrail.duckdb';
}

/** DuckDB's messages are precise but terse; add the hint a user needs at this one choke point. */
export function enrichDuckDBError(e: unknown, context: string): SigtrailError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Could not set lock|Conflicting lock/i.test(msg)) {
    return new SigtrailError('DATABASE_LOCKED', `${context}: the database is in use by another sigtrail process`, {
      cause: e,
      hint: 'wait for it to finish (a nightly scan?) or pass a different --db',
    });
  }
  if (/not a valid DuckDB database|IO Error: The file .* exists, but it is not/i.test(msg)) {
    return new SigtrailError('DATABASE', `${context}: not a sigtrail/DuckDB database file`, { cause: e });
  }
  return new SigtrailError('DATABASE', `${context}: ${msg.split('\n')[0]}`, { cause: e });
}

/** Positional (`$1`) or named (`$name`) parameters. */
export type Params = readonly Param[] | Readonly<Record<string, Param>>;

function typeOf(p: Param): DuckDBType | undefined {
  // DuckDB cannot infer a type for a bare NULL or an empty list; tell it.
  if (p === null) return VARCHAR;
  if (Array.isArray(p)) return LIST(VARCHAR);
  return undefined;
}

function toValue(p: Param): DuckDBValue {
  return Array.isArray(p) ? listValue([...(p as readonly string[])]) : (p as DuckDBValue);
}

function bind(params: Params): {
  values: DuckDBValue[] | Record<string, DuckDBValue>;
  types: (DuckDBType | undefined)[] | Record<string, DuckDBType | undefined> | undefined;
} {
  if (Array.isArray(params)) {
    const list = params as readonly Param[];
    const types = list.map(typeOf);
    return { values: list.map(toValue), types: types.some(Boolean) ? types : undefined };
  }
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType | undefined> = {};
  let typed = false;
  for (const [k, p] of Object.entries(params as Readonly<Record<string, Param>>)) {
    values[k] = toValue(p);
    const t = typeOf(p);
    if (t) { types[k] = t; typed = true; }
  }
  return { values, types: typed ? types : undefined };
}

/** Named parameters the statement does not mention are dropped: DuckDB refuses to bind them. */
function usedParams(sql: string, params: Params): Params {
  if (Array.isArray(params)) return params as readonly Param[];
  const out: Record<string, Param> = {};
  for (const [k, v] of Object.entries(params as Readonly<Record<string, Param>>)) {
    if (new RegExp(`\\$${k}\\b`).test(sql)) out[k] = v;
  }
  return out;
}

function bindArgs(params: Params): [DuckDBValue[] | Record<string, DuckDBValue>, DuckDBType[] | Record<string, DuckDBType | undefined> | undefined] {
  const { values, types } = bind(params);
  // node-api binds position i with types[i] and infers the type when that entry is undefined.
  return [values, types as DuckDBType[] | Record<string, DuckDBType | undefined> | undefined];
}

export class Store {
  private inTransaction = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  /** Opens (creating when needed) the database and brings its schema up to date. */
  static async open(dbPath: string, options: OpenOptions = {}): Promise<Store> {
    const readOnly = options.readOnly ?? false;
    if (dbPath !== ':memory:') {
      if (readOnly && !fs.existsSync(dbPath)) {
        throw new SigtrailError('NOT_FOUND', `no database at ${dbPath}`, { hint: 'run `sigtrail ingest <files>` first, or pass --db' });
      }
      const dir = path.dirname(path.resolve(dbPath));
      if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true });
    }
    const config: Record<string, string> = {};
    if (readOnly) config.access_mode = 'READ_ONLY';
    config.memory_limit = options.memoryLimit ?? process.env.SIGTRAIL_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT;
    if (options.threads) config.threads = String(options.threads);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(dbPath, config);
    } catch (e) {
      throw enrichDuckDBError(e, `cannot open ${dbPath}`);
    }
    const conn = await instance.connect();
    const store = new Store(dbPath, instance, conn, readOnly);
    await store.exec("SET TimeZone = 'UTC'");
    if (!readOnly) await store.migrate();
    else await store.checkVersion();
    await store.exec(MACROS);
    return store;
  }

  private async currentVersion(): Promise<number> {
    const t = await this.all(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = 'main'",
    );
    if (Number(t[0]?.n) === 0) return 0;
    const r = await this.all("SELECT value FROM meta WHERE key = 'schema_version'");
    return r.length ? Number(r[0].value) : 0;
  }

  private async checkVersion(): Promise<number> {
    const v = await this.currentVersion();
    if (v > SCHEMA_VERSION) {
      throw new SigtrailError('SCHEMA', `${this.path} has schema version ${v}; this sigtrail understands up to ${SCHEMA_VERSION}`, {
        hint: 'upgrade sigtrail to read this case database',
      });
    }
    return v;
  }

  private async migrate(): Promise<void> {
    const from = await this.checkVersion();
    if (from === SCHEMA_VERSION) return;
    await this.transaction(async () => {
      for (let v = from; v < SCHEMA_VERSION; v++) await this.exec(MIGRATIONS[v]);
      await this.run(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', $1)",
        [String(SCHEMA_VERSION)],
      );
    });
  }

  /** Runs a query with bound parameters and returns normalised rows. */
  async all<T extends Row = Row>(sql: string, params: Params = []): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, ...bindArgs(usedParams(sql, params)));
      return reader.getRowObjects().map(normaliseRow) as T[];
    } catch (e) {
      throw enrichDuckDBError(e, 'query failed');
    }
  }

  /** The first row, or undefined. */
  async one<T extends Row = Row>(sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Column names and normalised rows, for printing arbitrary SQL results. */
  async table(sql: string, params: Params = []): Promise<{ columns: string[]; rows: Row[] }> {
    try {
      const reader = await this.conn.runAndReadAll(sql, ...bindArgs(usedParams(sql, params)));
      return { columns: reader.columnNames(), rows: reader.getRowObjects().map(normaliseRow) };
    } catch (e) {
      throw enrichDuckDBError(e, 'query failed');
    }
  }

  /** Runs one statement with bound parameters; returns the number of rows changed when DuckDB reports it. */
  async run(sql: string, params: Params = []): Promise<number> {
    try {
      const result = await this.conn.run(sql, ...bindArgs(usedParams(sql, params)));
      return Number(result.rowsChanged);
    } catch (e) {
      throw enrichDuckDBError(e, 'statement failed');
    }
  }

  /** Runs one or more statements of sigtrail's own SQL (no parameters). */
  async exec(sql: string): Promise<void> {
    try {
      await this.conn.run(sql);
    } catch (e) {
      throw enrichDuckDBError(e, 'statement failed');
    }
  }

  /**
   * Runs `fn` in one transaction: all of its writes land, or none do (a crash or Ctrl-C mid-way
   * leaves nothing behind, because DuckDB's WAL only replays committed transactions).
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    await this.exec('BEGIN TRANSACTION');
    this.inTransaction = true;
    try {
      const out = await fn();
      await this.exec('COMMIT');
      return out;
    } catch (e) {
      try { await this.exec('ROLLBACK'); } catch { /* the original error matters more */ }
      throw e;
    } finally {
      this.inTransaction = false;
    }
  }

  /** The underlying connection, for appenders and streaming readers in adapters. */
  get connection(): DuckDBConnection {
    return this.conn;
  }

  close(): void {
    try { this.conn.closeSync(); } catch { /* already closed */ }
    try { this.instance.closeSync(); } catch { /* already closed */ }
  }
}
