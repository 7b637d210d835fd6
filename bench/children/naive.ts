/**
 * The naive alternative: Node streams the file, `JSON.parse`s each record and pulls the same
 * fields out (nothing is stored). Usage: node naive.mjs <steps.json> <unwrap|-> <file>…
 * `steps.json` holds one path per field as a list of keys and array indexes; `unwrap` names the
 * array holding the records in whole-document files (S3 objects), `-` for one record per line, or
 * `*` for lines of `{"<key>": record}`.
 * Self-contained (no imports from the project) because it runs as a plain transpiled .mjs.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';

const [stepsFile, unwrap, ...files] = process.argv.slice(2);
if (!stepsFile || !unwrap) throw new Error('usage: naive <steps.json> <unwrap|-> <file>…');
const paths = JSON.parse(fs.readFileSync(stepsFile, 'utf8')) as (string | number)[][];
let records = 0;
let bad = 0;
let values = 0;

function get(rec: unknown, steps: readonly (string | number)[]): unknown {
  let v = rec;
  for (const s of steps) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

function take(rec: unknown): void {
  records++;
  for (const p of paths) if (get(rec, p) !== undefined) values++;
}

for (const file of files) {
  const gz = file.endsWith('.gz');
  if (unwrap !== '-' && unwrap !== '*') {
    const buf = fs.readFileSync(file);
    const doc = JSON.parse((gz ? zlib.gunzipSync(buf) : buf).toString('utf8')) as Record<string, unknown>;
    const list = doc[unwrap];
    if (Array.isArray(list)) list.forEach(take);
    continue;
  }
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const rl = readline.createInterface({ input: gz ? raw.pipe(zlib.createGunzip()) : raw, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    // '*': each line is {"<key>": record} (Rekor v1 API entries), the fields are read from the record.
    if (unwrap === '*' && rec && typeof rec === 'object') Object.values(rec).forEach(take);
    else take(rec);
  }
}
process.stdout.write(`${records} ${bad} ${values}\n`);
