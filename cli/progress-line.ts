// The live progress line on a terminal (files, bytes, rate, ETA); nothing when output goes to a log.

import type { BackupCounters } from '../src/backup/index.js';
import { formatBytes, formatDuration, formatRate } from '../src/ui/index.js';
import type { CliIo } from './io.js';

/** What a progress line shows: backups pass their counters, restores a small object of their own. */
export type ProgressCounters = Pick<BackupCounters, 'filesDone' | 'bytesDone' | 'bytesRead' | 'totalBytes'>;

export interface ProgressReporter {
  start(counters: Readonly<ProgressCounters>): void;
  /** Clears the line before other output is written. */
  clear(): void;
  stop(): void;
}

export function terminalProgress(io: CliIo): ProgressReporter {
  const tty = Boolean(io.stderr.isTTY);
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  const begun = Date.now();
  const clear = (): void => {
    if (shown) io.stderr.write('\r\x1b[2K');
    shown = false;
  };
  return {
    start(c) {
      if (!tty) return;
      timer = setInterval(() => {
        const ms = Date.now() - begun;
        const eta =
          c.totalBytes > c.bytesDone && c.bytesDone > 0
            ? ((c.totalBytes - c.bytesDone) * ms) / c.bytesDone
            : 0;
        const total = c.totalBytes > 0 ? ` / ${formatBytes(c.totalBytes)}` : '';
        const line = `[${formatDuration(ms)}] ${c.filesDone} files, ${formatBytes(c.bytesDone)}${total}, ${formatRate(c.bytesRead, ms)}${eta ? `, ETA ${formatDuration(eta)}` : ''}`;
        io.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
        shown = true;
      }, 250);
      timer.unref();
    },
    clear,
    stop() {
      if (timer) clearInterval(timer);
      clear();
    },
  };
}

/** With --json: one progress object a second on stdout, as newline-delimited JSON. */
export function jsonProgress(io: CliIo): ProgressReporter {
  let timer: NodeJS.Timeout | undefined;
  const begun = Date.now();
  return {
    start(c) {
      timer = setInterval(() => {
        io.stdout.write(`${JSON.stringify({ type: 'progress', elapsedMs: Date.now() - begun, ...c })}\n`);
      }, 1000);
      timer.unref();
    },
    clear() {},
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
