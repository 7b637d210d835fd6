/**
 * Maps record numbers back to line numbers for the (rare) files that have rejects: DuckDB's
 * newline-delimited reader numbers non-blank lines, so a blank line shifts the two apart.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

const NL = 0x0a;

/** ASCII whitespace as String.prototype.trim sees it (space, \t, \n, \v, \f, \r). */
function isAsciiSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/**
 * Record number → line number for the given records. Scans bytes for newlines (a rejected record
 * near the end of a 1M-record file meant decoding every line as a string: ~3 s); a line counts as
 * blank when trimming it leaves nothing, as before.
 */
export async function lineNumbersFor(path: string, gzip: boolean, recordNos: readonly number[]): Promise<Map<number, number>> {
  const wanted = new Set(recordNos);
  const out = new Map<number, number>();
  if (wanted.size === 0) return out;
  const max = Math.max(...recordNos);
  const raw = fs.createReadStream(path, { highWaterMark: 1 << 20 });
  const input = gzip ? raw.pipe(zlib.createGunzip()) : raw;
  input.on('error', () => { /* a corrupt tail: keep the lines found so far */ });
  let line = 0;
  let record = 0;
  // State of the line being read: content seen, or undecided bytes kept for a non-ASCII check.
  let content = false;
  let pending: Buffer[] = [];
  const endLine = (): boolean => {
    line++;
    if (!content && pending.length) content = Buffer.concat(pending).toString('utf8').trim() !== '';
    if (content) {
      record++;
      if (wanted.has(record)) out.set(record, line);
    }
    content = false;
    pending = [];
    return record >= max;
  };
  try {
    scan: for await (const chunk of input) {
      const buf = chunk as Buffer;
      let pos = 0;
      while (pos < buf.length) {
        const nl = buf.indexOf(NL, pos);
        const end = nl === -1 ? buf.length : nl;
        if (!content && pending.length) pending.push(buf.subarray(pos, end));
        else if (!content) {
          let i = pos;
          while (i < end && isAsciiSpace(buf[i])) i++;
          // Non-ASCII may still be whitespace to trim() (a BOM, a no-break space): decide at the line end.
          if (i < end) {
            if (buf[i] < 0x80) content = true;
            else pending.push(buf.subarray(i, end));
          }
        }
        if (nl === -1) break;
        if (endLine()) break scan;
        pos = nl + 1;
      }
    }
    if (content || pending.length) endLine();
  } catch {
    /* unreadable tail */
  } finally {
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
