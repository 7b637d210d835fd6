/**
 * Guards against decompression bombs: a few kilobytes of gzip can expand to terabytes. Before
 * DuckDB reads a .gz file, its decompressed size is measured by streaming it through zlib (no
 * buffering) and the file is refused beyond a cap (SIGTRAIL_MAX_INFLATED_BYTES, default 16 GiB).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { SigtrailError } from '../errors.js';
import { LongestLine } from './lines.js';

export const DEFAULT_MAX_INFLATED = 16 * 1024 ** 3;

export function maxInflatedBytes(): number {
  const v = Number(process.env.SIGTRAIL_MAX_INFLATED_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_INFLATED;
}

export interface InflateCheck {
  bytes: number;
  /** The longest line of the decompressed text (up to where it stopped). */
  longestLine: number;
  /** Set when the stream is corrupt or truncated: what zlib said, and how far it got. */
  error?: string;
}

/**
 * Streams a gzip file and counts its decompressed bytes. Throws INPUT_LIMIT past `cap`; reports
 * (does not throw) corruption, because what came before the damage may still be readable.
 */
export async function measureInflated(path: string, cap = maxInflatedBytes()): Promise<InflateCheck> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const lines = new LongestLine();
    const src = fs.createReadStream(path);
    const gunzip = zlib.createGunzip();
    const stop = (): void => {
      src.destroy();
      gunzip.destroy();
    };
    gunzip.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      lines.push(chunk);
      if (bytes > cap) {
        stop();
        reject(new SigtrailError('INPUT_LIMIT', `${path} decompresses to more than ${cap} bytes (a decompression bomb?)`, {
          hint: 'raise SIGTRAIL_MAX_INFLATED_BYTES if this file is genuine',
        }));
      }
    });
    gunzip.on('end', () => resolve({ bytes, longestLine: lines.longest }));
    gunzip.on('error', (e) => {
      stop();
      resolve({ bytes, longestLine: lines.longest, error: e.message });
    });
    src.on('error', (e) => {
      stop();
      reject(e);
    });
    src.pipe(gunzip);
  });
}
