// Retention: which snapshots a council's schedule keeps, and forgetting the rest.

export { type ForgetOptions, type ForgetResult, runForget } from './forget.js';
export {
  type GroupBy,
  type GroupPlan,
  isEmptyPolicy,
  parseDuration,
  planRetention,
  type RetentionPolicy,
} from './policy.js';
export { type PruneOptions, type PrunePlan, type PruneResult, runPrune } from './prune.js';
export { type RewriteOptions, type RewriteResult, type RewrittenSnapshot, runRewrite } from './rewrite.js';
