// Runs the program and turns every outcome into an exit code, in this one place (DESIGN.md exit codes).

import { CommanderError } from 'commander';
import { CofferError } from '../src/errors.js';
import type { CliIo } from './io.js';
import { createProgram } from './program.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const program = await createProgram(io, argv);
    await program.parseAsync([...argv], { from: 'user' });
    // A command that succeeded with reservations (backup with unreadable files: 3) sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, io, argv.includes('-v') || argv.includes('--verbose'));
  }
}

function reportError(err: unknown, io: CliIo, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // commander has printed its message already; help and version are successes.
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    ) {
      return 0;
    }
    return 2;
  }
  if (err instanceof CofferError) {
    io.stderr.write(`coffer: ${err.message}\n`);
    if (verbose) writeCauses(err, io);
    else if (err.cause) io.stderr.write('(run again with --verbose for the cause)\n');
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(
    `coffer: unexpected error: ${message}\nThis is a bug in coffer; please report it with the output of --verbose.\n`,
  );
  if (verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return 1;
}

function writeCauses(err: Error, io: CliIo): void {
  let cause: unknown = err.cause;
  while (cause) {
    io.stderr.write(
      `  caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}\n`,
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
}
