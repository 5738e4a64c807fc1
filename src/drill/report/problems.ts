// The report's open problems, each with what to do about it in plain words: weeks without a backup, no
// passing drill for a year, the newest drill failing (RTO missed, files that did not verify), a failed or
// missing integrity check, no RTO set, records that could not be read.

import { formatDuration } from '../../ui/index.js';
import { dayText } from './report-text.js';
import type { Cadence, CheckEntry, Problem, ReportDrill, ReportTarget } from './report-data.js';

export interface ProblemFacts {
  readonly year: number;
  /** The report's reference moment: now, or the end of a past year. */
  readonly asOf: Date;
  readonly cadence: Cadence;
  /** The year's drills, oldest first. */
  readonly drills: readonly ReportDrill[];
  readonly lastPassedDrill?: { readonly time: string };
  /** Check records up to asOf, newest first. */
  readonly checks: readonly CheckEntry[];
  readonly rto: readonly ReportTarget[];
  readonly unreadableRecords: number;
  readonly timeZone: string;
}

const YEAR_MS = 365 * 86_400_000;

export function openProblems(f: ProblemFacts): Problem[] {
  const problems: Problem[] = [];
  const missed = f.cadence.weeks.filter((w) => w.status === 'missed');
  if (missed.length > 0) {
    problems.push({
      severity: missed.length >= 2 ? 'serious' : 'attention',
      title: `${missed.length} week${missed.length === 1 ? '' : 's'} of ${f.year} without a backup`,
      detail: `No snapshot was made in week${missed.length === 1 ? '' : 's'} ${missed.map((w) => w.week).join(', ')} (${f.cadence.backedUp} of ${f.cadence.expected} weeks were backed up).`,
      recommendation:
        'Check that the computer running coffer is on at the scheduled time and that the coffer service is running ("coffer status" shows the last backup and the next one). If the backups need a person, agree who does them and who covers absences.',
    });
  }
  const sinceMs = f.lastPassedDrill ? f.asOf.getTime() - Date.parse(f.lastPassedDrill.time) : undefined;
  if (sinceMs === undefined || sinceMs > YEAR_MS) {
    problems.push({
      severity: 'serious',
      title: 'No drill has passed in the last 12 months',
      detail: f.lastPassedDrill
        ? `The last drill that passed was on ${dayText(f.lastPassedDrill.time, f.timeZone)}.`
        : 'No drill on record has passed.',
      recommendation:
        'Run a disaster-recovery drill ("coffer drill run") and keep its record: the policy asks for the recovery plan to be tested every year.',
    });
  }
  const latest = f.drills.at(-1);
  if (latest && !latest.passed) {
    for (const t of latest.targets.filter((x) => !x.met)) {
      problems.push({
        severity: 'serious',
        title: `Recovery time objective "${t.name}" (${t.target}) not met`,
        detail:
          t.achievedMs === undefined
            ? `The latest drill, on ${dayText(latest.time, f.timeZone)}, could not show it was met: ${t.note}.`
            : `The latest drill, on ${dayText(latest.time, f.timeZone)}, took ${formatDuration(t.achievedMs)} (${t.basis === 'estimate' ? 'estimated' : 'measured'}) against a target of ${t.target}.`,
        recommendation:
          'Either make recovery faster (a faster connection or storage closer to you, restoring the critical folders first) or ask members to agree a longer recovery time objective, then run the drill again.',
      });
    }
    const restoreReasons = latest.reasons.filter((r) => !r.startsWith('the RTO'));
    if (restoreReasons.length > 0) {
      problems.push({
        severity: 'serious',
        title: 'The latest drill could not restore everything',
        detail: `${restoreReasons.join('; ')}.`,
        recommendation:
          'Run "coffer check --read-data" to see the full extent of the damage, keep the original files safe, and make a new backup so the damaged files are stored again; ask whoever looks after coffer to investigate.',
      });
    }
  }
  const lastCheck = f.checks[0];
  if (!lastCheck) {
    problems.push({
      severity: 'attention',
      title: 'No integrity check on record',
      detail: `No "coffer check" was recorded up to ${dayText(f.asOf.toISOString(), f.timeZone)}.`,
      recommendation:
        'Run "coffer check --read-data-subset 5%" regularly (the coffer service can do it after each backup) so damage in storage is found before it is needed.',
    });
  } else if (lastCheck.outcome !== 'success') {
    problems.push({
      severity: 'serious',
      title: 'The latest integrity check found problems',
      detail: `${dayText(lastCheck.time, f.timeZone)}: ${lastCheck.summary}`,
      recommendation:
        'Run "coffer check --read-data" and follow what it says to do; keep the original files until a check passes again.',
    });
  }
  if (f.rto.length === 0) {
    problems.push({
      severity: 'attention',
      title: 'No recovery time objective is set',
      detail: 'Without an RTO a drill can show that recovery works, but not whether it is fast enough.',
      recommendation:
        'Agree recovery time objectives with members (for example "finance: 4h, all documents: 24h") and write them into the job\'s "rto" in the config file.',
    });
  }
  if (f.unreadableRecords > 0) {
    problems.push({
      severity: 'attention',
      title: `${f.unreadableRecords} record${f.unreadableRecords === 1 ? '' : 's'} could not be read`,
      detail:
        'Some snapshot, audit or drill records are damaged, so this report may leave out what they held.',
      recommendation: 'Run "coffer check" and tell whoever looks after coffer, and your auditor.',
    });
  }
  return problems;
}
