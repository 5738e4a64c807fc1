// coffer version: the program, format and runtime versions, for bug reports and audits.

import type { Command } from 'commander';
import { FORMAT_VERSION } from '../../src/repository/index.js';
import { PROGRAM_VERSION } from '../../src/version.js';
import { globalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';

export function register(program: Command, io: CliIo): void {
  program
    .command('version')
    .description('print the version of coffer, of the repository format it writes, and of Node.js')
    .action((_opts: object, self: Command) => {
      const info = { version: PROGRAM_VERSION, formatVersion: FORMAT_VERSION, node: process.version };
      if (globalOptions(self).json) return printJson(io, info);
      printLine(io, `coffer ${info.version} (repository format ${info.formatVersion}, Node.js ${info.node})`);
    });
}
