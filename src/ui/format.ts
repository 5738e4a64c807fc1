// Numbers and times for people: sizes in binary units, durations, rates, moments in a time zone.

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

export function formatRate(bytes: number, ms: number): string {
  return ms <= 0 ? '-' : `${formatBytes((bytes * 1000) / ms)}/s`;
}

/** "Sun 3 May 2026 02:04 BST": a moment as people read it, in an IANA zone (default: this computer's). */
export function formatLocalTime(time: Date | string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    ...(timeZone ? { timeZone } : {}),
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(typeof time === 'string' ? new Date(time) : time);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** "9 days", "5 hours", "less than a minute": the largest whole unit of a span (its sign ignored). */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  for (const [size, name] of [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ] as const) {
    const n = Math.floor(abs / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return 'less than a minute';
}

/** "in 3 days", "5 hours ago", "just now": a moment relative to now, in its largest whole unit. */
export function relativeTime(time: Date | string, now: Date): string {
  const ms = new Date(time).getTime() - now.getTime();
  if (Math.abs(ms) < 60_000) return ms < 0 ? 'just now' : 'in less than a minute';
  return ms < 0 ? `${formatSpan(ms)} ago` : `in ${formatSpan(ms)}`;
}
