// Disaster-recovery drills: timed, verified restores into a scratch folder, judged against RTO targets,
// recorded in the repository, and the annual report built from those records.

export {
  type DamagedObject,
  type DrillPhases,
  type DrillResult,
  type DrillScope,
  FAILED_FILES_KEPT,
  type FailedFile,
  type StoredDrill,
  type TargetResult,
  type TimeBasis,
} from './drill-result.js';
export { decodeDrill, encodeDrill, listDrills, saveDrillRecord } from './drill-record.js';
export { describeDrill, drillSummary, type RecordedDrill, scopeText } from './describe-drill.js';
export { parseRtoDuration } from './rto-duration.js';
export {
  assumption,
  estimateMs,
  evaluateTarget,
  type Measurement,
  type TargetScope,
  WHOLE_SNAPSHOT,
} from './rto.js';
export {
  type DrillOptions,
  type DrillScopeRequest,
  type DrillStage,
  runDrill,
  wholeSnapshotTarget,
} from './run-drill.js';
export { sampleItems } from './sample.js';
export { drillResultLines } from './result-text.js';
