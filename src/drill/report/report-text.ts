// Words and numbers the HTML and Markdown reports share: dates in the council's time zone, results, bases.

import { formatBytes, formatDuration } from '../../ui/index.js';
import type { TimeBasis } from '../drill-result.js';
import type { ReportData, WeekStatus } from './report-data.js';

export function dayText(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(new Date(iso));
}

export function dateTimeText(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** "16–22 Mar" for a week's Monday and Sunday (YYYY-MM-DD). */
export function weekSpan(start: string, end: string): string {
  const f = (d: string): string =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(
      new Date(`${d}T00:00:00Z`),
    );
  return `${f(start)} – ${f(end)}`;
}

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export function basisText(basis: TimeBasis): string {
  return basis === 'measured' ? 'measured' : basis === 'upper-bound' ? 'at most (measured)' : 'estimated';
}

export function achievedText(ms: number | undefined): string {
  return ms === undefined ? 'could not be worked out' : formatDuration(ms);
}

export const STATUS_TEXT: Readonly<Record<WeekStatus, string>> = {
  'backed-up': 'backed up',
  missed: 'missed',
  'in-progress': 'this week, not yet backed up',
  future: 'still to come',
  before: 'before the repository existed',
};

export function throughputText(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '-' : `${formatBytes(bytesPerSecond)}/s`;
}

/** One sentence for the top of the report. */
export function headline(data: ReportData): string {
  const serious = data.problems.filter((p) => p.severity === 'serious').length;
  if (data.problems.length === 0)
    return 'No open problems: backups, drills and checks are as the policy asks.';
  return `${data.problems.length} open problem${data.problems.length === 1 ? '' : 's'}${serious > 0 ? `, ${serious} serious` : ''}: see "Open problems and recommendations".`;
}

export function drillCounts(data: ReportData): { run: number; passed: number } {
  return { run: data.drills.length, passed: data.drills.filter((d) => d.passed).length };
}
