import crypto from 'node:crypto';
import fs from 'node:fs';
import { LongestLine } from './lines.js';

/**
 * Streams a file through SHA-256; the digest identifies the file in the chain of custody. The same
 * pass measures its longest line (of the bytes as stored: for gzip, inflate.ts measures the text).
 */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number; longestLine: number }> {
  const hash = crypto.createHash('sha256');
  const lines = new LongestLine();
  let bytes = 0;
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    hash.update(b);
    lines.push(b);
    bytes += b.length;
  }
  return { sha256: hash.digest('hex'), bytes, longestLine: lines.longest };
}
