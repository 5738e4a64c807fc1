// The daemon's notices as the notify layer's events (in the job's time zone, named by its schedule
// period: "weekly backup"), sent to the channels that want them. Never throws; a delivery that fails is
// logged as an error line and the daemon carries on.

import type { CofferConfig } from '../config/index.js';
import {
  checkFailedEvent,
  digestEvent,
  drillDueEvent,
  drillFailedEvent,
  failureEvent,
  notify,
  overdueEvent,
  successEvent,
  type NotificationEvent,
  type WordingOptions,
} from '../notify/index.js';
import type { DaemonLog } from './log.js';
import type { DaemonNotice } from './notices.js';
import { schedulePeriodMs } from './scheduler.js';

const WEEK_MS = 7 * 86_400_000;

export async function sendNotice(
  config: CofferConfig,
  notice: DaemonNotice,
  opts: { readonly env: NodeJS.ProcessEnv; readonly log: DaemonLog },
): Promise<void> {
  if (config.notifications.length === 0) return;
  try {
    await notify(config.notifications, noticeEvent(config, notice), {
      env: opts.env,
      log: (line) => opts.log.error(line),
      sent: (line) => opts.log.info(line),
    });
  } catch (err) {
    opts.log.error(`could not send the ${notice.kind} notification: ${(err as Error).message}`);
  }
}

export function noticeEvent(config: CofferConfig, notice: DaemonNotice): NotificationEvent {
  if (notice.kind === 'digest') {
    return digestEvent({
      jobs: notice.jobs,
      time: notice.time,
      periodMs: WEEK_MS,
      ...zoneOf(config.jobs[0]?.schedule.timezone),
    });
  }
  const job = config.jobs.find((j) => j.name === notice.job);
  const wording: WordingOptions = {
    configPath: config.path,
    ...zoneOf(job?.schedule.timezone),
    ...(job ? { periodMs: schedulePeriodMs(job.schedule, notice.time) } : {}),
  };
  const base = { ...wording, job: notice.job, time: notice.time };
  switch (notice.kind) {
    case 'failure':
      return failureEvent({
        ...base,
        step: notice.failure.step,
        message: notice.failure.message,
        exitCode: notice.failure.exitCode,
        attempts: notice.attempts,
        ...(notice.lastSuccess ? { lastSuccess: new Date(notice.lastSuccess.time) } : {}),
      });
    case 'overdue':
      return overdueEvent({
        ...base,
        due: notice.since,
        ...(notice.lastSuccess ? { lastSuccess: new Date(notice.lastSuccess.time) } : {}),
        ...(notice.lastFailure ? { lastFailure: notice.lastFailure.message } : {}),
      });
    case 'check-failed':
      return checkFailedEvent({ ...base, summary: notice.summary });
    case 'success':
      return successEvent({
        ...base,
        snapshot: notice.backup.snapshot,
        filesNew: notice.backup.filesNew,
        filesChanged: notice.backup.filesChanged,
        bytesAdded: notice.backup.bytesAdded,
        durationMs: notice.durationMs,
        ...(notice.backup.incomplete ? { incomplete: true } : {}),
      });
    case 'drill-due':
      return drillDueEvent({ ...base, ...(notice.lastPassed ? { lastPassed: notice.lastPassed } : {}) });
    case 'drill-failed':
      return drillFailedEvent({ ...base, summary: notice.summary });
  }
}

function zoneOf(timeZone: string | undefined): { timeZone?: string } {
  return timeZone ? { timeZone } : {};
}
