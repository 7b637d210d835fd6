/** Buffered line writer: generating a GB of NDJSON one small write at a time would measure syscalls. */
import fs from 'node:fs';

export class LineWriter {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(path: string) {
    this.fd = fs.openSync(path, 'w');
  }

  line(text: string): void {
    this.buf.push(text);
    this.size += text.length + 1;
    if (this.size >= 4 << 20) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const chunk = Buffer.from(this.buf.join('\n') + '\n', 'utf8');
    fs.writeSync(this.fd, chunk);
    this.bytes += chunk.length;
    this.buf = [];
    this.size = 0;
  }

  close(): number {
    this.flush();
    fs.closeSync(this.fd);
    return this.bytes;
  }
}
