// The daemon: schedules (with catch-up after downtime), job runs as child processes, state, status.

export { systemClock, type Clock } from './clock.js';
export {
  Daemon,
  DEFAULT_CATCH_UP_MAX_DELAY_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  type DaemonOptions,
  type OnceResult,
} from './daemon.js';
export { journalLog, silentLog, oneLine, type DaemonLog } from './log.js';
export type { DaemonNotice, Notifier } from './notices.js';
export { acquirePidLock, pidFilePath, runningDaemonPid, type PidLock } from './pid-lock.js';
export { DEFAULT_RETRY_POLICY, isRetryable, nextRetry, type RetryPolicy } from './retry-policy.js';
export {
  catchUpDelayMs,
  drillDueAt,
  isDrillDue,
  isDue,
  isOverdue,
  isPruneDue,
  nextRunAfter,
  overdueAt,
  plannedBackup,
  plannedDrill,
  plannedRun,
  schedulePeriodMs,
  type PlannedRun,
  type Schedule,
  type Timing,
} from './scheduler.js';
export { readState, recordDrillInState, stateFilePath, updateState, writeState } from './state.js';
export type * from './state-types.js';
export { CONDITION_WORDS, describeJob, type JobCondition, type JobStatus } from './status.js';
export { DEFAULT_UNIT_PATHS, renderSystemdUnit, type UnitPaths } from './systemd-unit.js';
export type { CofferInvocation } from './step-runner.js';
export { sendNotice } from './send-notice.js';
