#!/usr/bin/env node
// The coffer executable: run the CLI with the real process and exit with its code. The first Ctrl-C or
// SIGTERM asks the running command to stop cleanly; a second Ctrl-C stops at once (exit 130).

import { processIo } from './io.js';
import { runCli } from './run.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      `\ncoffer: ${sig === 'SIGINT' ? 'interrupted' : 'terminated'}, stopping cleanly (Ctrl-C again to stop at once)\n`,
    );
    controller.abort(new Error(`received ${sig}`));
  });
}

const code = await runCli(process.argv.slice(2), processIo(controller.signal));
process.exit(code);
