// `--rto` values: the config file's durations (90min, 4h, 1d12h) plus seconds and milliseconds, which a
// config has no use for but which let a test (or a curious clerk) force a breach with `--rto 1ms`.

import { parseConfigDuration } from '../config/index.js';
import { UsageError } from '../errors.js';

export function parseRtoDuration(text: string): number {
  const trimmed = text.trim();
  const short = /^(\d+)(ms|s)$/.exec(trimmed);
  if (short) {
    const ms = Number(short[1]) * (short[2] === 's' ? 1000 : 1);
    if (ms <= 0) throw new UsageError(`--rto ${trimmed}: give a length of time such as 4h`);
    return ms;
  }
  try {
    return parseConfigDuration(trimmed);
  } catch (err) {
    throw new UsageError(`--rto ${trimmed}: ${(err as Error).message}`);
  }
}
