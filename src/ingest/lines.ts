/**
 * What the (rare) rejected lines of a newline-delimited file look like, read back from the bytes:
 * the line number (DuckDB's reader numbers non-blank lines, so a blank line shifts record and
 * line apart), the line's length, the first byte that is not UTF-8 when there is one, and the
 * start of its text for `rejects.snippet` (DuckDB has none to give for a line it could not parse).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

export interface LineFacts {
  line: number;
  bytes: number;
  /** 0-based offset in the line of the first byte that breaks UTF-8, if any. */
  invalidUtf8At?: number;
  invalidByte?: number;
  /** The start of the line, decoded leniently (U+FFFD for bad bytes). */
  head: string;
}

const HEAD_BYTES = 600;

/** DuckDB skips lines made only of these (space, tab, CR, VT, FF). */
function isBlankByte(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** An incremental UTF-8 validator (RFC 3629: no overlongs, surrogates or code points past U+10FFFF). */
class Utf8Check {
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  bad?: { at: number; byte: number };

  push(b: number, at: number): void {
    if (this.bad) return;
    if (this.need === 0) {
      if (b < 0x80) return;
      if (b >= 0xc2 && b <= 0xdf) this.need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lower = 0xa0;
        if (b === 0xed) this.upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lower = 0x90;
        if (b === 0xf4) this.upper = 0x8f;
      } else this.bad = { at, byte: b };
      return;
    }
    if (b < this.lower || b > this.upper) {
      this.bad = { at, byte: b };
      return;
    }
    this.lower = 0x80;
    this.upper = 0xbf;
    this.need--;
  }

  /** At the end of a line: a sequence cut short is invalid too. */
  end(at: number): void {
    if (!this.bad && this.need > 0) this.bad = { at, byte: 0x0a };
  }
}

/** Facts about the lines holding `recordNos` (1-based records as DuckDB numbers them). Streams; memory stays flat. */
export async function lineFactsFor(path: string, gzip: boolean, recordNos: readonly number[]): Promise<Map<number, LineFacts>> {
  const wanted = new Set(recordNos);
  const out = new Map<number, LineFacts>();
  if (wanted.size === 0) return out;
  const max = Math.max(...recordNos);
  const raw = fs.createReadStream(path, { highWaterMark: 1 << 20 });
  const input = gzip ? raw.pipe(zlib.createGunzip()) : raw;
  input.on('error', () => { /* a corrupt tail: keep the lines found so far */ });

  let line = 1;
  let record = 0;
  let blank = true;
  let length = 0;
  let head: Buffer[] = [];
  let headBytes = 0;
  let check: Utf8Check | undefined;

  const endLine = (): void => {
    if (!blank) {
      record++;
      if (check) {
        check.end(length);
        const text = Buffer.concat(head).toString('utf8');
        out.set(record, { line, bytes: length, invalidUtf8At: check.bad?.at, invalidByte: check.bad?.byte, head: text });
      }
    }
    line++;
    blank = true;
    length = 0;
    head = [];
    headBytes = 0;
    check = undefined;
  };

  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(0x0a, pos);
        const stop = nl === -1 ? chunk.length : nl;
        // Only the bytes of wanted lines are looked at one by one; the rest is skipped by indexOf.
        if (blank) {
          for (let i = pos; i < stop; i++) {
            if (!isBlankByte(chunk[i])) {
              blank = false;
              if (wanted.has(record + 1)) check = new Utf8Check();
              break;
            }
          }
        }
        if (check) {
          for (let i = pos; i < stop; i++) check.push(chunk[i], length + i - pos);
          if (headBytes < HEAD_BYTES) {
            const piece = chunk.subarray(pos, Math.min(stop, pos + HEAD_BYTES - headBytes));
            head.push(piece);
            headBytes += piece.length;
          }
        }
        length += stop - pos;
        if (nl === -1) break;
        endLine();
        pos = nl + 1;
        if (record >= max) return out;
      }
    }
    if (!blank) endLine();
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

/**
 * The longest line of a byte stream, fed chunk by chunk (indexOf finds the newlines, so it costs
 * next to nothing beside the hashing or inflating pass it rides on).
 */
export class LongestLine {
  longest = 0;
  private current = 0;

  push(chunk: Buffer): void {
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) {
        this.current += chunk.length - pos;
        break;
      }
      this.current += nl - pos;
      if (this.current > this.longest) this.longest = this.current;
      this.current = 0;
      pos = nl + 1;
    }
    if (this.current > this.longest) this.longest = this.current;
  }
}
