// Builders for each kind of notification, in plain words for a council clerk: what happened, what it
// means for the council's data, and what to do. They need nothing from the repository, so the daemon can
// still say "the storage rejected coffer's access key" when the repository cannot be opened at all.
// Drill and digest notices have files of their own and are re-exported here.

import { formatBytes, formatLocalTime } from '../ui/index.js';
import type { NotificationEvent } from './event.js';
import { adviseOnFailure, type FailureCause } from './failure-advice.js';
import {
  backupName,
  count,
  describePeriod,
  formatElapsed,
  optional,
  quoteMessage,
  SETUP,
  whenWithAge,
  type WordingOptions,
} from './wording.js';

export { digestEvent, type DigestInput, type DigestJob } from './digest-event.js';
export { drillDueEvent, drillFailedEvent, type DrillDueInput } from './drill-events.js';
export { describePeriod, type WordingOptions } from './wording.js';

interface StepWords {
  /** `clean-up of weekly backup "documents"` */
  readonly what: (name: string) => string;
  /** What a failure of this step means for the council's data. */
  readonly impact?: string;
}

/** The daemon's job steps (daemon/state-types.ts JobStep); unknown steps are named as given. */
const STEPS: Readonly<Record<string, StepWords>> = {
  backup: {
    what: (name) => name,
    impact: "No new backup of the council's files was made this time; earlier backups are not affected.",
  },
  forget: {
    what: (name) => `removal of old snapshots of ${name}`,
    impact:
      'The backup itself was saved; only the removal of old backups under the retention policy failed, so they are kept for now.',
  },
  prune: {
    what: (name) => `clean-up of ${name}`,
    impact:
      'The backup itself was saved; only the clean-up of unused data failed, so storage use may grow until it works.',
  },
  check: {
    what: (name) => `integrity check of ${name}`,
    impact: 'The backup itself was saved; only the integrity check after it could not run.',
  },
  drill: {
    what: (name) => `recovery drill for ${name}`,
    impact:
      "The disaster-recovery drill could not run, so the council's recovery plan was not tested this time.",
  },
  size: {
    what: (name) => `measurement of ${name}`,
    impact: "Only the measurement of the repository's size failed; backups are not affected.",
  },
};

const FAILURE_LABEL: Partial<Record<FailureCause, { readonly title: string; readonly verb: string }>> = {
  'files-unreadable': { title: 'INCOMPLETE', verb: 'finished incomplete' },
  interrupted: { title: 'INTERRUPTED', verb: 'was interrupted' },
};

export interface FailureInput extends WordingOptions {
  readonly job: string;
  /** The step that failed: backup, forget, prune, check, drill, size. */
  readonly step: string;
  /** coffer's own message (never holds a secret). */
  readonly message: string;
  /** The step's exit code; null when it was killed by a signal. */
  readonly exitCode: number | null;
  readonly time: Date;
  /** How many attempts were made before giving up. */
  readonly attempts?: number;
  readonly lastSuccess?: Date;
}

export function failureEvent(input: FailureInput): NotificationEvent {
  const { job, step, message, exitCode, time, attempts, lastSuccess, timeZone } = input;
  const found = adviseOnFailure({ job, message, exitCode, ...optional('configPath', input.configPath) });
  const label = FAILURE_LABEL[found.cause] ?? { title: 'FAILED', verb: 'failed' };
  const words = STEPS[step] ?? { what: (name: string) => `${step} step of ${name}` };
  const what = words.what(backupName(job, input.periodMs));
  const tries = attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
  const lines = [`The ${what} ${label.verb} on ${formatLocalTime(time, timeZone)}${tries}.`, found.diagnosis];
  const partlySaved = found.cause === 'files-unreadable' || found.cause === 'interrupted';
  if (words.impact && !partlySaved) lines.push(words.impact);
  if (step === 'backup')
    lines.push(
      lastSuccess
        ? `The last good backup is from ${whenWithAge(lastSuccess, time, timeZone)}.`
        : 'There is no good backup of this job yet.',
    );
  lines.push(`coffer said: ${quoteMessage(message)}`);
  return {
    kind: 'failure',
    job,
    time,
    title: `${label.title}: ${what}`,
    lines,
    advice: found.advice,
    facts: {
      job,
      step,
      cause: found.cause,
      exitCode: exitCode ?? 'signal',
      ...optional('attempts', attempts),
      ...optional('lastSuccess', lastSuccess?.toISOString()),
    },
  };
}

export interface OverdueInput extends WordingOptions {
  readonly job: string;
  readonly lastSuccess?: Date;
  /** When a success was due at the latest (last success + period + grace). */
  readonly due: Date;
  readonly time: Date;
  /** The last failure's message, if the job has been failing rather than not running. */
  readonly lastFailure?: string;
}

export function overdueEvent(input: OverdueInput): NotificationEvent {
  const { job, lastSuccess, due, time, timeZone } = input;
  const name = backupName(job, input.periodMs);
  const period = describePeriod(input.periodMs);
  const lines = [
    lastSuccess
      ? `The ${name} has not succeeded since ${whenWithAge(lastSuccess, time, timeZone)}.`
      : `The ${name} has never succeeded.`,
    `A new backup was due by ${formatLocalTime(due, timeZone)}.`,
    `Changes to the council's files since the last good backup are not backed up${
      period ? `, and the council's policy needs a backup ${period.every}` : ''
    }.`,
  ];
  if (input.lastFailure) lines.push(`The last attempt failed: ${quoteMessage(input.lastFailure)}`);
  return {
    kind: 'overdue',
    job,
    time,
    title: `OVERDUE: ${name}`,
    lines,
    advice:
      'Check that the computer coffer runs on is switched on and connected to the internet, then run `coffer status` there to see why. ' +
      `If an earlier message said a backup failed, follow its advice; if nothing helps, send this message to ${SETUP}.`,
    facts: {
      job,
      due: due.toISOString(),
      ...optional('lastSuccess', lastSuccess?.toISOString()),
    },
  };
}

export interface SummaryInput extends WordingOptions {
  readonly job: string;
  /** The check's or drill's own summary of what it found. */
  readonly summary: string;
  readonly time: Date;
}

export function checkFailedEvent(input: SummaryInput): NotificationEvent {
  const { job, summary, time } = input;
  const name = backupName(job, input.periodMs);
  return {
    kind: 'check-failed',
    job,
    time,
    title: `CHECK FAILED: ${name}`,
    lines: [
      `The integrity check of the ${name} on ${formatLocalTime(time, input.timeZone)} found a problem.`,
      `coffer said: ${quoteMessage(summary)}`,
      'Some backed-up files may not be restorable from the affected backups. New backups continue as scheduled.',
    ],
    advice:
      `Ask ${SETUP} to run \`coffer check --read-data --job ${job}\` and follow what it says. ` +
      'Do not run `coffer forget` or `coffer prune` until this is resolved: older backups may hold good copies.',
    facts: { job, summary },
  };
}

export interface SuccessInput extends WordingOptions {
  readonly job: string;
  readonly snapshot: string;
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly bytesAdded: number;
  readonly durationMs: number;
  readonly time: Date;
  /** Some files could not be read; the snapshot was still written. */
  readonly incomplete?: boolean;
}

export function successEvent(input: SuccessInput): NotificationEvent {
  const { job, snapshot, filesNew, filesChanged, bytesAdded, durationMs, time } = input;
  const name = backupName(job, input.periodMs);
  const lines = [
    `The ${name} finished on ${formatLocalTime(time, input.timeZone)} in ${formatElapsed(durationMs)}.`,
    `${count(filesNew, 'new file')} and ${count(filesChanged, 'changed file')} were saved, adding ${formatBytes(bytesAdded)} to the repository (snapshot ${snapshot.slice(0, 8)}).`,
    "The council's files are backed up as of this time.",
  ];
  if (input.incomplete) lines.push('Some files could not be read and are missing from this backup.');
  return {
    kind: 'success',
    job,
    time,
    title: `${input.incomplete ? 'INCOMPLETE' : 'OK'}: ${name}`,
    lines,
    ...(input.incomplete
      ? {
          advice:
            "Find the files' names in coffer's log (`journalctl -u coffer`) and close them or fix their permissions.",
        }
      : {}),
    facts: { job, snapshot, filesNew, filesChanged, bytesAdded, durationMs },
  };
}
