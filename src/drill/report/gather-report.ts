// Gathering the annual report's figures from the repository: snapshots (cadence), drill records (RTOs,
// pass/fail), the audit log (checks, key changes), the key files, and from the config job when given
// (RTO targets, retention, time zone). Reads only; the result is plain data for the renderers.

import type { JobConfig } from '../../config/index.js';
import { listKeys, loadSnapshots, readAuditLog, type Repository } from '../../repository/index.js';
import { PROGRAM_VERSION } from '../../version.js';
import { scopeText } from '../describe-drill.js';
import { listDrills } from '../drill-record.js';
import type { StoredDrill } from '../drill-result.js';
import { backupCadence } from './cadence.js';
import { checkedTimeZone, civilDate } from './calendar-weeks.js';
import { keyHolders } from './key-holders.js';
import { openProblems } from './problems.js';
import type { CheckEntry, ReportData, ReportDrill, ReportTarget } from './report-data.js';
import { describeRetention } from './retention-text.js';

export interface ReportOptions {
  /** Default: this year in the report's time zone. */
  readonly year?: number;
  readonly now?: Date;
  /** Default: the job's schedule time zone, else this computer's. */
  readonly timeZone?: string;
  readonly job?: Pick<JobConfig, 'name' | 'rto' | 'retention'> & {
    readonly schedule?: { readonly timezone: string };
  };
  readonly signal?: AbortSignal;
}

/** How many of the latest check records the report lists. */
const CHECKS_SHOWN = 5;

export async function gatherReport(repo: Repository, opts: ReportOptions = {}): Promise<ReportData> {
  const ctx = { storage: repo.storage, master: repo.master };
  const signal = opts.signal ? { signal: opts.signal } : {};
  const now = opts.now ?? new Date();
  const timeZone =
    opts.timeZone ??
    (opts.job?.schedule && checkedTimeZone(opts.job.schedule.timezone)) ??
    Intl.DateTimeFormat().resolvedOptions().timeZone;
  const yearOf = (iso: string): number => Number(civilDate(new Date(iso), timeZone).slice(0, 4));
  const year = opts.year ?? yearOf(now.toISOString());
  const endOfYear = new Date(Date.UTC(year, 11, 31, 23, 59, 59));
  const asOf = now < endOfYear ? now : endOfYear;

  let unreadableRecords = 0;
  const countDamaged = (): void => {
    unreadableRecords++;
  };
  const snapshots = await loadSnapshots(ctx, { ...signal, onDamaged: countDamaged });
  const drills = (await listDrills(ctx, { ...signal, onDamaged: countDamaged })).filter(
    (d) => Date.parse(d.drill.startedAt) <= asOf.getTime(),
  );
  const audit = await readAuditLog(ctx, { ...signal, onDamaged: countDamaged });
  const keys = await listKeys(repo);

  const yearDrills = drills.filter((d) => yearOf(d.drill.startedAt) === year).map(reportDrill);
  const lastPassed = drills.filter((d) => d.drill.passed).at(-1);
  const checks: CheckEntry[] = audit
    .filter((r) => r.record.operation === 'check' && Date.parse(r.record.time) <= asOf.getTime())
    .reverse()
    .slice(0, CHECKS_SHOWN)
    .map(({ record }) => ({
      time: record.time,
      outcome: record.outcome,
      summary: record.summary,
      by: record.keyName,
    }));
  const rto = rtoTargets(opts.job?.rto ?? [], yearDrills);
  const cadence = backupCadence(
    year,
    snapshots.map((s) => s.snapshot.time),
    { now: asOf, created: new Date(repo.config.created), timeZone },
  );
  const lastPassedDrill = lastPassed ? { id: lastPassed.id, time: lastPassed.drill.startedAt } : undefined;
  return {
    version: 1,
    year,
    generatedAt: now.toISOString(),
    timeZone,
    program: `coffer ${PROGRAM_VERSION}`,
    repository: { location: repo.storage.location, id: repo.config.id, created: repo.config.created },
    ...(opts.job ? { job: opts.job.name } : {}),
    rto,
    drills: yearDrills,
    ...(lastPassedDrill ? { lastPassedDrill } : {}),
    cadence,
    retention: describeRetention(opts.job?.retention, opts.job?.name),
    keys: keyHolders(keys, audit, asOf),
    checks,
    problems: openProblems({
      year,
      asOf,
      cadence,
      drills: yearDrills,
      ...(lastPassedDrill ? { lastPassedDrill } : {}),
      checks,
      rto,
      unreadableRecords,
      timeZone,
    }),
    unreadableRecords,
  };
}

function reportDrill({ id, drill: d }: StoredDrill): ReportDrill {
  return {
    id,
    time: d.startedAt,
    snapshot: d.snapshot.id,
    snapshotTime: d.snapshot.time,
    scope: d.scope,
    scopeText: scopeText(d.scope),
    passed: d.passed,
    wallMs: d.wallMs,
    files: d.restored.files,
    bytes: d.restored.bytes,
    ...(d.restored.bytesPerSecond !== undefined ? { bytesPerSecond: d.restored.bytesPerSecond } : {}),
    failedFiles: d.failedFileCount,
    targets: d.targets.map((t) => ({
      name: t.name,
      target: t.target,
      targetMs: t.targetMs,
      ...(t.achievedMs !== undefined ? { achievedMs: t.achievedMs } : {}),
      basis: t.basis,
      met: t.met,
      note: t.note,
    })),
    reasons: d.reasons,
    ranBy: `${d.ranBy.keyName} (${d.ranBy.user}@${d.ranBy.host})`,
  };
}

/** The job's targets, then any other target the year's drills judged; each with its newest verdict. */
function rtoTargets(configured: JobConfig['rto'], drills: readonly ReportDrill[]): ReportTarget[] {
  const latestFor = (name: string): ReportTarget['latest'] => {
    for (const d of [...drills].reverse()) {
      const t = d.targets.find((x) => x.name === name);
      if (t)
        return {
          drill: d.id,
          time: d.time,
          ...(t.achievedMs !== undefined ? { achievedMs: t.achievedMs } : {}),
          basis: t.basis,
          met: t.met,
        };
    }
    return undefined;
  };
  const out: ReportTarget[] = configured.map((t) => {
    const latest = latestFor(t.name);
    return {
      name: t.name,
      ...(t.paths ? { paths: t.paths } : {}),
      target: t.target,
      targetMs: t.targetMs,
      source: 'config',
      ...(latest ? { latest } : {}),
    };
  });
  for (const d of [...drills].reverse()) {
    for (const t of d.targets) {
      if (out.some((o) => o.name === t.name)) continue;
      const latest = latestFor(t.name);
      out.push({
        name: t.name,
        target: t.target,
        targetMs: t.targetMs,
        source: 'drills',
        ...(latest ? { latest } : {}),
      });
    }
  }
  return out;
}
