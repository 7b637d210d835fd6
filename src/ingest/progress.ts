/** Progress on stderr for long ingests (cli-progress), silent for short or non-interactive runs. */
import cliProgress from 'cli-progress';
import type { IngestOptions } from './pipeline.js';

export function progressReporter(stderr: NodeJS.WriteStream, totalBytes: number): { onFile: IngestOptions['onFile']; stop(): void } {
  // Only worth a bar when there is something to wait for and a terminal to draw on.
  if (!stderr.isTTY || totalBytes < 20 * 1024 * 1024) return { onFile: undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      format: 'ingest [{bar}] {percentage}% | {value}/{total} MB | {file}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (b: number): number => Math.round(b / 1e6);
  let done = 0;
  bar.start(mb(totalBytes), 0, { file: '' });
  return {
    onFile: (e) => {
      if (e.phase === 'start') bar.update(mb(done), { file: e.path.slice(-40) });
      else {
        done += e.bytes;
        bar.update(mb(done));
      }
    },
    stop: () => bar.stop(),
  };
}
