// Times for people, in the job's own time zone ("Sun 3 May 2026 02:04 BST"), and spans ("3 days ago").

export function formatInZone(time: Date | string, timeZone: string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** "in 3 days", "5 hours ago": the largest whole unit. */
export function relativeTime(time: Date | string, now: Date): string {
  const ms = new Date(time).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(abs / size);
    if (n >= 1) {
      const span = `${n} ${name}${n === 1 ? '' : 's'}`;
      return ms < 0 ? `${span} ago` : `in ${span}`;
    }
  }
  return ms < 0 ? 'just now' : 'in less than a minute';
}
