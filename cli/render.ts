// Rendering results: aligned tables for people, one JSON document for programs.

import type { CliIo } from './io.js';

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(io: CliIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/** A plain-text table: a header row, then rows, columns padded to the widest cell. */
export function printTable(io: CliIo, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  printLine(io, line(header));
  printLine(io, line(widths.map((w, i) => (header[i]?.trim() ? '-'.repeat(w) : ' '.repeat(w)))));
  for (const row of rows) printLine(io, line(row));
}

/** A date for people: local-looking but unambiguous (UTC), to the second. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}
