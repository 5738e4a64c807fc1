// What a command needs from its surroundings, passed in so tests can run commands in-process.

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Whether a person can answer a prompt. */
  readonly interactive: boolean;
  /** Aborted by Ctrl-C or SIGTERM, so long operations can stop cleanly. */
  readonly signal: AbortSignal;
}

export function processIo(signal: AbortSignal): CliIo {
  return {
    signal,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  };
}
