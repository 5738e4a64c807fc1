// Runs one step of a job (backup, forget, check, drill) as a child process of the coffer binary, so it
// gets the CLI's locking, audit records and exit codes, a crash in it cannot take the daemon down, and
// its memory is returned when it ends. Its --json output is parsed; its last error line is kept.

import { spawn } from 'node:child_process';

/** How to start the coffer CLI: the Node binary and the arguments before the command (the entry script). */
export interface CofferInvocation {
  readonly execPath: string;
  readonly prefixArgs: readonly string[];
}

export interface StepOptions {
  readonly env: NodeJS.ProcessEnv;
  /** When aborted the child gets SIGTERM (a backup then stops cleanly, writing no snapshot). */
  readonly signal?: AbortSignal;
  /** How long a stopping child may take before SIGKILL. */
  readonly stopTimeoutMs: number;
  readonly onStart?: (pid: number) => void;
}

export interface StepResult {
  /** null when the child was ended by a signal. */
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  /** The JSON values the child printed on stdout (one document, or one per line). */
  readonly documents: readonly unknown[];
  /** The child's last error message, for the clerk (the CLI keeps secrets out of these). */
  readonly message: string;
  /** The step was asked to stop (shutdown); it did not fail on its own. */
  readonly stopped: boolean;
  /** It did not stop within the limit and was killed. */
  readonly killed: boolean;
}

const MAX_STDOUT_LINES = 20_000;

// Steps run in their own process group, so they would outlive a daemon stopped at once (a second Ctrl-C
// exits immediately): whatever still runs then is killed with it.
const live = new Set<number>();
let exitHookInstalled = false;

function track(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) killGroup(p);
  });
}

const MAX_STDERR_CHARS = 64 * 1024;

export function runStep(
  coffer: CofferInvocation,
  args: readonly string[],
  opts: StepOptions,
): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve({
        exitCode: null,
        exitSignal: null,
        documents: [],
        message: 'not started: coffer is stopping',
        stopped: true,
        killed: false,
      });
      return;
    }
    const child = spawn(coffer.execPath, [...coffer.prefixArgs, ...args], {
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C on the daemon's terminal reaches only the daemon, which then
      // asks the step to stop once (a second signal would make the CLI stop at once, not cleanly).
      detached: true,
    });
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    let stopped = false;
    let killed = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > MAX_STDOUT_LINES) lines.splice(0, lines.length - MAX_STDOUT_LINES);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
    });
    const stop = (): void => {
      stopped = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => {
        killed = true;
        killGroup(child.pid);
      }, opts.stopTimeoutMs);
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    child.once('spawn', () => {
      track(child.pid!);
      opts.onStart?.(child.pid!);
    });
    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', stop);
      reject(err);
    });
    child.once('close', (exitCode, exitSignal) => {
      if (child.pid !== undefined) live.delete(child.pid);
      opts.signal?.removeEventListener('abort', stop);
      clearTimeout(killTimer);
      if (partial) lines.push(partial);
      resolve({
        exitCode,
        exitSignal,
        documents: parseDocuments(lines),
        message: lastError(stderr) ?? describeExit(exitCode, exitSignal),
        stopped,
        killed,
      });
    });
  });
}

/** One pretty-printed JSON document, or JSON lines; other lines are ignored. */
export function parseDocuments(lines: readonly string[]): unknown[] {
  const whole = lines.join('\n').trim();
  if (whole === '') return [];
  try {
    return [JSON.parse(whole)];
  } catch {
    const documents: unknown[] = [];
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        documents.push(JSON.parse(line));
      } catch {
        // progress text or a truncated line: not ours to read
      }
    }
    return documents;
  }
}

/** The CLI's last `coffer: ...` error line, without the prefix and without its notes about stopping. */
export function lastError(stderr: string): string | undefined {
  const errors = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('coffer: ') && !/^coffer: (warning:|interrupted|terminated)/.test(l));
  return errors.at(-1)?.slice('coffer: '.length);
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `the step was ended by ${signal}`;
  return code === 0 ? 'finished' : `the step exited with code ${code}`;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
