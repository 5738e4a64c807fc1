// Calendar arithmetic for the report: civil dates in a time zone, and ISO weeks (Monday to Sunday; week 1
// is the one with the year's first Thursday), done on plain YYYY-MM-DD strings so no time zone leaks in.

const DAY_MS = 86_400_000;

/** The civil date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function civilDate(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

function toUtc(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function fromUtc(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromUtc(new Date(toUtc(date).getTime() + days * DAY_MS));
}

/** ISO week-year and week of a civil date. */
export function isoWeekOf(date: string): { year: number; week: number } {
  const d = toUtc(date);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}

/** The Monday of week 1 of an ISO week-year. */
export function firstMonday(year: number): string {
  const jan4 = `${year}-01-04`;
  const weekday = (toUtc(jan4).getUTCDay() + 6) % 7;
  return addDays(jan4, -weekday);
}

/** Every ISO week of a week-year: 52 or 53, Monday and Sunday of each. */
export function isoWeeks(year: number): { week: number; start: string; end: string }[] {
  const weeks: { week: number; start: string; end: string }[] = [];
  for (
    let start = firstMonday(year), week = 1;
    isoWeekOf(start).year === year;
    start = addDays(start, 7), week++
  )
    weeks.push({ week, start, end: addDays(start, 6) });
  return weeks;
}

/** The month (1 to 12) a week belongs to for a calendar: the month of its Thursday. */
export function monthOfWeek(start: string): number {
  return Number(addDays(start, 3).slice(5, 7));
}

/** A zone name the runtime knows, or undefined. */
export function checkedTimeZone(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}
