// The CLI's entry point run from the sources (bin/sigtrail.js runs the compiled dist/ instead).
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv);
