import crypto from 'node:crypto';
import fs from 'node:fs';

/** Streams a file through SHA-256; the digest identifies the file in the chain of custody. */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    hash.update(b);
    bytes += b.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
