// Notices about disaster-recovery drills: one is due (none has passed for too long), or one failed.

import { formatLocalTime } from '../ui/index.js';
import type { NotificationEvent } from './event.js';
import type { SummaryInput } from './events.js';
import { optional, quoteMessage, SETUP, whenWithAge, type WordingOptions } from './wording.js';

export interface DrillDueInput extends WordingOptions {
  readonly job: string;
  readonly lastPassed?: Date;
  readonly time: Date;
}

export function drillDueEvent(input: DrillDueInput): NotificationEvent {
  const { job, lastPassed, time } = input;
  return {
    kind: 'drill-due',
    job,
    time,
    title: `DRILL DUE: recovery drill for "${job}"`,
    lines: [
      lastPassed
        ? `No disaster-recovery drill for "${job}" has passed since ${whenWithAge(lastPassed, time, input.timeZone)}.`
        : `No disaster-recovery drill for "${job}" has passed yet.`,
      "The council's disaster-recovery plan asks for a regular test, at least once a year, that the backups can be restored within the recovery time objectives.",
    ],
    advice:
      `Arrange a drill: run \`coffer drill run --job ${job}\`. It restores into a scratch folder, times the restore ` +
      'against the recovery targets and records the result for the auditor.',
    facts: { job, ...optional('lastPassed', lastPassed?.toISOString()) },
  };
}

export function drillFailedEvent(input: SummaryInput): NotificationEvent {
  const { job, summary, time } = input;
  return {
    kind: 'drill-failed',
    job,
    time,
    title: `DRILL FAILED: recovery drill for "${job}"`,
    lines: [
      `The disaster-recovery drill for "${job}" on ${formatLocalTime(time, input.timeZone)} did not pass.`,
      `coffer said: ${quoteMessage(summary)}`,
      'In a real disaster the council might not get its files back within the time its plan promises.',
    ],
    advice:
      `Ask ${SETUP} to look at the drill's result (\`coffer drill list --job ${job}\`), fix the cause and run the drill again (\`coffer drill run --job ${job}\`). ` +
      "Record the failure and the fix as the council's disaster-recovery plan requires.",
    facts: { job, summary },
  };
}
