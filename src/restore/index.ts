// Restore: bring files of a snapshot back to disk, never through links, each verified against its SHA-256.

export { type ApplyOptions, applyRestorePlan, type RestoreOutcome, type RestoreProblem } from './apply.js';
export { RestoreVerificationError, UnsafeTargetError } from './errors.js';
export { manifestBytes } from './manifest.js';
export { type OverwriteMode, type PlanAction, type PlanItem, planRestore, type RestorePlan } from './plan.js';
export { type RestoreOptions, type RestoreResult, runRestore } from './run-restore.js';
export { lap, newRestoreTimings, type RestoreTimings } from './timings.js';
