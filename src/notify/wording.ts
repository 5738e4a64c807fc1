// Words shared by the messages: times in the council's own time zone, spans ("9 days ago"), and a
// schedule's period as people say it ("weekly", "every week").

/** What every builder may be told about the job beyond the event itself; all optional. */
export interface WordingOptions {
  /** IANA zone for times in the text (the job's schedule zone); default: this computer's. */
  readonly timeZone?: string;
  /** The job's schedule period, to say "weekly backup" and "one every week". */
  readonly periodMs?: number;
  /** The config file, named in advice ("check the key in /etc/coffer/coffer.yaml"). */
  readonly configPath?: string;
}

import { formatLocalTime, formatSpan } from '../ui/index.js';

/** Who the advice sends the clerk to. */
export const SETUP = 'whoever set up coffer';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "Sun 3 May 2026 02:04 BST (9 days ago)". */
export function whenWithAge(time: Date, now: Date, timeZone?: string): string {
  const ms = now.getTime() - time.getTime();
  const age = ms >= 0 ? `${formatSpan(ms)} ago` : `in ${formatSpan(ms)}`;
  return `${formatLocalTime(time, timeZone)} (${age})`;
}

interface Period {
  /** "weekly" */
  readonly adjective: string;
  /** "every week" */
  readonly every: string;
}

const PERIODS: readonly (Period & { readonly ms: number; readonly tolerance: number })[] = [
  { ms: HOUR, tolerance: 0.1, adjective: 'hourly', every: 'every hour' },
  { ms: DAY, tolerance: 0.1, adjective: 'daily', every: 'every day' },
  { ms: 7 * DAY, tolerance: 0.1, adjective: 'weekly', every: 'every week' },
  // 28 to 31 days: calendar months
  { ms: 29.5 * DAY, tolerance: 0.06, adjective: 'monthly', every: 'every month' },
];

/** The period in words, when it is one people have a word for. */
export function describePeriod(periodMs: number | undefined): Period | undefined {
  if (periodMs === undefined || !(periodMs > 0)) return undefined;
  return PERIODS.find((p) => Math.abs(periodMs - p.ms) <= p.ms * p.tolerance);
}

/** `weekly backup "documents"`, or `backup "documents"` for an unusual period. */
export function backupName(job: string, periodMs?: number): string {
  const period = describePeriod(periodMs);
  return `${period ? `${period.adjective} ` : ''}backup "${job}"`;
}

/** "in /etc/coffer/coffer.yaml" or "in coffer's config file". */
export function inConfig(configPath?: string): string {
  return configPath ? `in ${configPath}` : "in coffer's config file (usually /etc/coffer/coffer.yaml)";
}

/** "less than a minute", "12 minutes", "1 hour 5 minutes": how long something took. */
export function formatElapsed(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 1) return 'less than a minute';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (hours === 0) return plural(rest, 'minute');
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** A message from elsewhere on one line, trimmed to a length that still reads as a sentence. */
export function quoteMessage(message: string, max = 500): string {
  const flat = message.trim().replace(/\s*[\r\n]+\s*/g, ' / ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "1 new file", "3 changed files". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `{ [key]: value }` when value is defined, else `{}`, for optional fields in object literals. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}
