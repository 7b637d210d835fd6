/**
 * Maps record numbers back to line numbers for the (rare) files that have rejects: DuckDB's
 * newline-delimited reader numbers non-blank lines, so a blank line shifts the two apart.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';

export async function lineNumbersFor(path: string, gzip: boolean, recordNos: readonly number[]): Promise<Map<number, number>> {
  const wanted = new Set(recordNos);
  const out = new Map<number, number>();
  if (wanted.size === 0) return out;
  const max = Math.max(...recordNos);
  const raw = fs.createReadStream(path);
  const input = gzip ? raw.pipe(zlib.createGunzip()) : raw;
  input.on('error', () => { /* a corrupt tail: keep the lines found so far */ });
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let record = 0;
  try {
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      record++;
      if (wanted.has(record)) out.set(record, line);
      if (record >= max) break;
    }
  } catch {
    /* unreadable tail */
  } finally {
    rl.close();
    raw.destroy();
  }
  return out;
}

/** 1-based line of a character offset in a text. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
