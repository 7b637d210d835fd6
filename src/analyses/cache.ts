/**
 * The case cache: an investigation's derived tables, kept beside the case database so that the
 * next command on the same case does not derive them again.
 *
 * A responder runs `window`, then `signed`, `anomalies`, `lateral`, `report`… on one case, each a
 * new process. Every one of them would slice the store for the key (the case tables), attribute
 * every signature and run the rules before its own analysis. The cache keeps those TEMP tables
 * (`c_*`) and the steps done, in one DuckDB file per case under `<db>.cache/`, named by a hash of
 * everything they depend on:
 *
 *   - the case (selectors, expectations, analyst window) and every tunable;
 *   - the data: the files loaded (id, sha256, status, in order) and the row counts of the tables
 *     the analyses read — an ingest or scan that adds anything changes it;
 *   - the code: the analyses' SQL (queries/*.sql) and the modules that build the case tables.
 *
 * So an entry can only be found for exactly the inputs it was computed from; nothing is ever
 * invalidated in place. `sql --write` (which can change rows without changing counts) removes the
 * whole cache. A cache that cannot be read or written (a read-only directory, a concurrent writer, a
 * damaged file) is skipped: the investigation is computed as if there were none.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/database.js';
import { queriesDir } from './registry.js';

/** What an Investigation needs besides its tables to continue where a cached one stopped. */
export interface CachedState {
  done: string[];
  [k: string]: unknown;
}

/** Entries kept per database (least recently used go first). */
const KEEP = 12;
const ALIAS = 'sigtrail_case_cache';
const WRITER = 'sigtrail_case_cache_new';
/** Tables that later steps rewrite (DELETE, INSERT, CREATE OR REPLACE): restored as copies. */
const REWRITTEN = new Set(['c_finding', 'c_contained', 'c_pivot', 'c_lateral']);
/** Tables a step always derives again before reading (the listing range's signatures; pairing candidates). */
const REDERIVED = new Set(['c_signed', 'c_pair_cand']);

/** `<db>.cache`, or null when the database has no file (`:memory:`) or caching is turned off. */
export function caseCacheDir(dbPath: string, enabled = true): string | null {
  if (!enabled || dbPath === ':memory:' || process.env.SIGTRAIL_NO_CACHE) return null;
  return `${path.resolve(dbPath)}.cache`;
}

/** Removes a database's case cache (after the data was changed by hand). */
export function clearCaseCache(dbPath: string): void {
  const dir = caseCacheDir(dbPath);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

let codeHash: string | undefined;

/** A hash of the analyses' SQL and of the modules that build the case tables (src/ or dist/). */
function codeVersion(): string {
  if (codeHash) return codeHash;
  const h = createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [queriesDir(), here, path.resolve(here, '../case')]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((n) => /\.(sql|js|ts)$/.test(n)).sort();
    } catch {
      continue;
    }
    for (const n of names) h.update(n).update('\0').update(fs.readFileSync(path.join(dir, n))).update('\0');
  }
  codeHash = h.digest('hex');
  return codeHash;
}

/** The files loaded and the sizes of the tables the analyses read. */
async function dataVersion(store: Store): Promise<string> {
  const row = await store.one(
    `SELECT (SELECT md5(COALESCE(string_agg(CAST(file_id AS VARCHAR) || ':' || sha256 || ':' || COALESCE(status, ''), ',' ORDER BY file_id), '')) FROM files) AS files,
            (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM signatures) AS signatures,
            (SELECT count(*) FROM ci_runs) AS ci_runs, (SELECT count(*) FROM rejects) AS rejects`,
  );
  return JSON.stringify(row ?? null);
}

/** One case's entry in the cache. */
export class CaseCache {
  private constructor(
    private readonly store: Store,
    readonly file: string,
  ) {}

  /** The entry for this case, these options and the store's current data and code. */
  static async for(store: Store, dir: string, inputs: unknown): Promise<CaseCache> {
    const key = createHash('sha256')
      .update(JSON.stringify({ format: 1, code: codeVersion(), data: await dataVersion(store), inputs }))
      .digest('hex').slice(0, 32);
    return new CaseCache(store, path.join(dir, `${key}.duckdb`));
  }

  /**
   * Restores the cached case tables; returns the state saved with them, or null on a miss. The
   * entry stays attached (read-only) while the store is open: the tables later steps only read
   * become TEMP views of it, and only those that later steps rewrite are copied. (Copying them
   * all costs more than deriving some of them.)
   */
  async load(): Promise<CachedState | null> {
    if (!fs.existsSync(this.file)) return null;
    try {
      await dropCaseObjects(this.store);
      await this.detach();
      await this.store.exec(`ATTACH ${literal(this.file)} AS ${ALIAS} (READ_ONLY)`);
      const state = await this.store.one<{ json: string }>(`SELECT json FROM ${ALIAS}.main.cache_state`);
      if (!state) throw new Error('no state');
      const tables = await this.store.all<{ name: string }>(
        `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = '${ALIAS}' AND table_name LIKE 'c\\_%' ESCAPE '\\'`,
      );
      for (const { name } of tables) {
        if (REDERIVED.has(name)) continue;
        const from = `${ALIAS}.main.${ident(name)}`;
        await this.store.exec(REWRITTEN.has(name)
          ? `CREATE OR REPLACE TEMP TABLE ${ident(name)} AS SELECT * FROM ${from}`
          : `CREATE OR REPLACE TEMP VIEW ${ident(name)} AS SELECT * FROM ${from}`);
      }
      const now = new Date();
      fs.utimesSync(this.file, now, now);
      return JSON.parse(state.json) as CachedState;
    } catch (e) {
      // A damaged or foreign file: drop it, compute afresh.
      if (process.env.SIGTRAIL_DEBUG) process.stderr.write(`case cache: not read: ${String(e)}\n`);
      await this.detach();
      fs.rmSync(this.file, { force: true });
      return null;
    }
  }

  /**
   * Writes every `c_*` TEMP table and `state` to a new file and renames it into place, so a reader
   * never sees half an entry. Failures leave no entry; they never fail the command.
   */
  async save(state: CachedState): Promise<boolean> {
    const dir = path.dirname(this.file);
    const tmp = `${this.file}.${process.pid}.tmp`;
    let attached = false;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.rmSync(tmp, { force: true });
      // READ_WRITE explicitly: on a read-only store, attached files default to read-only.
      await this.store.exec(`ATTACH ${literal(tmp)} AS ${WRITER} (READ_WRITE)`);
      attached = true;
      // The case tables, whether computed here (TEMP tables) or restored from an entry (TEMP views).
      for (const { name } of await caseObjects(this.store)) {
        if (REDERIVED.has(name)) continue;
        await this.store.exec(`CREATE TABLE ${WRITER}.main.${ident(name)} AS SELECT * FROM temp.main.${ident(name)}`);
      }
      await this.store.exec(`CREATE TABLE ${WRITER}.main.cache_state (json VARCHAR)`);
      await this.store.run(`INSERT INTO ${WRITER}.main.cache_state VALUES ($1)`, [JSON.stringify(state)]);
      await this.detach(WRITER);
      attached = false;
      fs.renameSync(tmp, this.file);
      prune(dir);
      return true;
    } catch (e) {
      if (process.env.SIGTRAIL_DEBUG) process.stderr.write(`case cache: not saved: ${String(e)}\n`);
      return false;
    } finally {
      if (attached) await this.detach(WRITER);
      for (const f of [tmp, `${tmp}.wal`]) fs.rmSync(f, { force: true });
    }
  }

  private async detach(alias = ALIAS): Promise<void> {
    await this.store.exec(`DETACH DATABASE IF EXISTS ${alias}`);
  }
}

/**
 * Drops the case tables and views of an earlier investigation on this connection, so that a view
 * restored from the cache never stands where a step creates a table, or the other way round.
 */
export async function dropCaseObjects(store: Store): Promise<void> {
  for (const o of await caseObjects(store)) await store.exec(`DROP ${o.kind} IF EXISTS temp.main.${ident(o.name)}`);
}

/** The case tables (`c_*`) on this connection: TEMP tables computed here, TEMP views restored from an entry. */
async function caseObjects(store: Store): Promise<{ name: string; kind: 'TABLE' | 'VIEW' }[]> {
  return store.all<{ name: string; kind: 'TABLE' | 'VIEW' }>(
    `SELECT table_name AS name, 'TABLE' AS kind FROM duckdb_tables() WHERE temporary AND table_name LIKE 'c\\_%' ESCAPE '\\'
     UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary AND view_name LIKE 'c\\_%' ESCAPE '\\'`,
  );
}

/**
 * ATTACH takes no bound parameters, so the path (the user's own --db plus a hex name, never log
 * data) goes in as a quoted literal.
 */
function literal(file: string): string {
  if (file.includes('\0')) throw new Error('NUL in a path');
  return `'${file.replace(/'/g, "''")}'`;
}

/** Table names come from duckdb_tables() of sigtrail's own c_* tables; quoted all the same. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Keeps the KEEP most recently used entries. */
function prune(dir: string): void {
  const entries = fs.readdirSync(dir).filter((n) => n.endsWith('.duckdb'))
    .map((n) => ({ file: path.join(dir, n), t: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const e of entries.slice(KEEP)) fs.rmSync(e.file, { force: true });
}
