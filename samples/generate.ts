/**
 * `npm run samples` — regenerates the demo incident in samples/ (deterministic; the output is
 * committed so the demo needs no generation step).
 *
 *   npm run samples                                   # rewrite samples/ in place
 *   npm run samples -- --out /tmp/samples             # write elsewhere (e.g. to diff)
 *   npm run samples -- --bench --events 1000000 --out bench/data
 *                                                     # a large benchmark set in the same formats
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateBench } from './generator/bench.js';
import { GENERATED_ROOTS, generateSamples } from './generator/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      bench: { type: 'boolean', default: false },
      events: { type: 'string', default: '1000000' },
      seed: { type: 'string' },
    },
  });
  if (values.bench) {
    const out = path.resolve(values.out ?? 'bench/data');
    const events = Number(values.events);
    if (!Number.isInteger(events) || events < 1000) throw new Error('--events must be an integer ≥ 1000');
    const summary = await generateBench({ out, events, seed: values.seed });
    process.stderr.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = path.resolve(values.out ?? here);
  const { files } = await generateSamples();
  for (const root of GENERATED_ROOTS) fs.rmSync(path.join(out, root), { recursive: true, force: true });
  let bytes = 0;
  for (const [rel, body] of files) {
    const p = path.join(out, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
    bytes += body.length;
  }
  process.stderr.write(`wrote ${files.size} files, ${(bytes / 1024).toFixed(0)} KiB, to ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`samples: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
