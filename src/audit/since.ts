// `coffer log --since`: a date ("2026-01-31", an RFC 3339 time) or a duration back from now ("30d", "12w").

import { UsageError } from '../errors.js';
import { parseDuration } from '../retention/index.js';

export function parseSince(text: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    // A bare date means the start of that day in UTC, as the log's times are shown in UTC.
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  } else {
    try {
      return new Date(now.getTime() - parseDuration(trimmed));
    } catch {
      // fall through to the message that names --since and both forms
    }
  }
  throw new UsageError(
    `--since ${text}: give a date such as 2026-01-31 (or 2026-01-31T09:00:00Z), or a time back from now such as 30d, 12w, 6m or 1y`,
  );
}
