#!/usr/bin/env node
// The coffer executable: run the CLI with the real process, exit with its code; Ctrl-C exits 130.

import { processIo } from './io.js';
import { runCli } from './run.js';

process.once('SIGINT', () => {
  process.stderr.write('\ncoffer: interrupted\n');
  process.exit(130);
});

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
