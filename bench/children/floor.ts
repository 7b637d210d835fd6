/**
 * The DuckDB floor, run as its own process like sigtrail is: open a database file with the same
 * settings sigtrail uses, run one `CREATE TABLE … AS SELECT` over the input, print the row count.
 * Usage: node floor.mjs <db> <sql>
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [db, sql] = process.argv.slice(2);
if (!db || !sql) throw new Error('usage: floor <db> <sql>');
const instance = await DuckDBInstance.create(db, { memory_limit: process.env.SIGTRAIL_MEMORY_LIMIT ?? '2GB' });
const conn = await instance.connect();
await conn.run("SET TimeZone = 'UTC'");
await conn.run(sql);
const rows = await conn.runAndReadAll('SELECT count(*) AS n FROM t');
process.stdout.write(`${String(rows.getRows()[0]?.[0])}\n`);
conn.closeSync();
instance.closeSync();
