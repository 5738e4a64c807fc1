// A retention policy in words for the report ("one a week for the last 8 weeks").

import type { RetentionPolicy } from '../../retention/index.js';
import type { Retention } from './report-data.js';

const DAY_MS = 86_400_000;

export function describeRetention(policy: RetentionPolicy | undefined, job: string | undefined): Retention {
  if (!job) {
    return {
      recorded: false,
      rules: [],
      note: 'not recorded: the repository does not hold the retention policy; make the report with --job NAME to include the policy of the config file',
    };
  }
  const rules = policy ? rulesOf(policy) : [];
  if (rules.length === 0) {
    return {
      recorded: false,
      rules: [],
      note: `job "${job}" has no retention policy: every snapshot is kept until someone removes it by hand`,
    };
  }
  return { recorded: true, rules, note: `the retention policy of job "${job}" in the config file` };
}

function rulesOf(p: RetentionPolicy): string[] {
  const rules: string[] = [];
  const every = (n: number | undefined, one: string, period: string): void => {
    if (n) rules.push(`one ${one} for the last ${n} ${period}${n === 1 ? '' : 's'} that have a snapshot`);
  };
  if (p.last) rules.push(`the last ${p.last} snapshot${p.last === 1 ? '' : 's'}`);
  every(p.hourly, 'an hour', 'hour');
  every(p.daily, 'a day', 'day');
  every(p.weekly, 'a week', 'week');
  every(p.monthly, 'a month', 'month');
  every(p.yearly, 'a year', 'year');
  if (p.withinMs) rules.push(`every snapshot within ${daysText(p.withinMs)} of the newest`);
  if (p.tags && p.tags.length > 0) rules.push(`every snapshot tagged ${p.tags.join(', ')}`);
  return rules;
}

function daysText(ms: number): string {
  const days = ms / DAY_MS;
  if (Number.isInteger(days)) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.round(ms / 3_600_000);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}
