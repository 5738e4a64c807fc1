// Durations in the config file (grace, RTO targets, drill reminders): 90min, 24h, 30d, 12w, 1y, 1d12h.
// `forget --keep-within` reads "m" as months; here a bare "m" is refused rather than guessed, because
// "30m" for an RTO means minutes to one reader and months to another.

import { UsageError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Milliseconds in a duration such as 4h or 1d12h; throws UsageError naming the accepted forms. */
export function parseConfigDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+m$|\dm(?!in)/.test(trimmed)) {
    throw new UsageError(
      `"${trimmed}" is ambiguous: write min for minutes (30min) or d for days (30d, a month)`,
    );
  }
  const parts = [...trimmed.matchAll(/(\d+)(min|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new UsageError(`expected a duration such as 90min, 24h, 30d, 12w or 1y, got "${trimmed}"`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (ms <= 0) throw new UsageError(`the duration "${trimmed}" is zero; give a length of time such as 1d`);
  return ms;
}
