// Notifications: turning what the daemon noticed into plain-language email and webhook messages, and delivering them.

export { ALL_JOBS, type NotificationEvent, type NotifyResult } from './event.js';
export {
  checkFailedEvent,
  describePeriod,
  digestEvent,
  drillDueEvent,
  drillFailedEvent,
  failureEvent,
  overdueEvent,
  successEvent,
  type DigestInput,
  type DigestJob,
  type DrillDueInput,
  type FailureInput,
  type OverdueInput,
  type SuccessInput,
  type SummaryInput,
  type WordingOptions,
} from './events.js';
export { adviseOnFailure, classifyFailure, type FailureAdvice, type FailureCause } from './failure-advice.js';
export { channelWants, DEFAULT_NOTIFY_TIMEOUT_MS, notify, type NotifyOptions } from './notify.js';
export { htmlText, plainText, subjectLine, webhookPayload, type WebhookPayload } from './message.js';
