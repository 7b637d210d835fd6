// Runs the CLI (from source, through tsx) and reports the process's peak resident set size on the
// last line of stderr, so a test can bound the memory of a whole ingest, DuckDB's included.
import { main } from '../../../src/cli.js';

const code = await main(process.argv);
process.stderr.write(`\nMAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
