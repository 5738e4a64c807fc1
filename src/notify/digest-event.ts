// The periodic summary: one line per job (up to date, overdue, check failed), sent to every channel that
// asks for digests.

import { formatLocalTime } from '../ui/index.js';
import { ALL_JOBS, type NotificationEvent } from './event.js';
import { describePeriod, whenWithAge, type WordingOptions } from './wording.js';

export interface DigestJob {
  readonly job: string;
  readonly lastSuccess?: Date;
  readonly overdue: boolean;
  /** undefined: no check has run. */
  readonly lastCheckOk?: boolean;
  readonly nextRun?: Date;
}

export interface DigestInput extends Omit<WordingOptions, 'periodMs'> {
  readonly jobs: readonly DigestJob[];
  readonly time: Date;
  /** How often the digest goes out, to call it "Weekly summary". */
  readonly periodMs?: number;
}

/** One message about every job; its `job` is `*`. */
export function digestEvent(input: DigestInput): NotificationEvent {
  const { jobs, time, timeZone } = input;
  const troubled = jobs.filter((j) => j.overdue || j.lastCheckOk === false);
  const period = describePeriod(input.periodMs);
  const heading = period ? `${capitalise(period.adjective)} summary` : 'Summary';
  const state =
    troubled.length === 0
      ? jobs.length === 1
        ? 'the backup is up to date'
        : `all ${jobs.length} backups are up to date`
      : jobs.length === 1
        ? 'the backup needs attention'
        : `${troubled.length} of ${jobs.length} backups need${troubled.length === 1 ? 's' : ''} attention`;
  const lines = jobs.map((j) => {
    const status = j.overdue ? 'OVERDUE' : j.lastCheckOk === false ? 'CHECK FAILED' : 'OK';
    const last = j.lastSuccess
      ? `Last good backup ${whenWithAge(j.lastSuccess, time, timeZone)}`
      : 'No good backup yet';
    const check = j.lastCheckOk === undefined ? '' : `; last check ${j.lastCheckOk ? 'passed' : 'FAILED'}`;
    const next = j.nextRun ? `; next run ${formatLocalTime(j.nextRun, timeZone)}` : '';
    return `${j.job}: ${status}. ${last}${check}${next}.`;
  });
  if (jobs.length === 0) lines.push('No backup jobs are configured.');
  else if (troubled.length === 0) lines.push('Nothing needs doing.');
  return {
    kind: 'digest',
    job: ALL_JOBS,
    time,
    title: `${heading}: ${state}`,
    lines,
    ...(troubled.length > 0
      ? {
          advice:
            'Run `coffer status` on the computer coffer runs on for details, and follow the advice in the earlier messages about these jobs.',
        }
      : {}),
    facts: { jobs: jobs.length, needingAttention: troubled.length },
  };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
