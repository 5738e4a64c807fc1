// Repository integrity checks: structure, key files, and optionally every pack's content (--read-data).

export type {
  AffectedSnapshot,
  CheckCounts,
  CheckError,
  CheckErrorKind,
  CheckNote,
  CheckNoteKind,
  CheckPhase,
  CheckProgress,
  CheckResult,
} from './result.js';
export { PATH_LIMIT } from './result.js';
export { type CheckOptions, runCheck } from './run-check.js';
export { type DataSubset, parseSubset, selectPacks } from './subset.js';
