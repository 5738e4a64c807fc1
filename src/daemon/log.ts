// The daemon's log: one line per event, prefixed with its syslog priority (<3> error, <4> warning,
// <6> info) so journald files each line at the right level. No colour, no secrets, no stack traces.

export interface DaemonLog {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

const PRIORITY = { error: 3, warn: 4, info: 6 } as const;

/** A log writing `<N>message` lines to `out` (the daemon's stdout, which journald reads). */
export function journalLog(out: { write(text: string): unknown }): DaemonLog {
  const line = (level: keyof typeof PRIORITY) => (message: string) => {
    out.write(`<${PRIORITY[level]}>${oneLine(message)}\n`);
  };
  return { error: line('error'), warn: line('warn'), info: line('info') };
}

/** A log that discards everything. */
export const silentLog: DaemonLog = { error: () => {}, warn: () => {}, info: () => {} };

/** Line breaks and control characters would split or garble a journal entry. */
export function oneLine(text: string): string {
  /* eslint-disable no-control-regex -- control characters are exactly what is removed */
  return text
    .replace(/\s*[\r\n]+\s*/g, ' / ')
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  /* eslint-enable no-control-regex */
}
