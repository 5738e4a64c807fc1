// The audit log: who did what to the repository, when, and how it ended (records: docs/format.md 12).

export {
  type AuditDescription,
  auditOperation,
  type AuditOptions,
  type Describe,
  describing,
  firstLine,
  type OperationEnd,
  writeAuditRecord,
} from './audit-operation.js';
export {
  describeBackup,
  describeCheck,
  describeDump,
  describeRestore,
  type RestoreRequest,
} from './describe-data.js';
export {
  describeForget,
  describeKeyAdd,
  describeKeyPasswd,
  describeKeyRemove,
  describePrune,
  describeRecoveryKey,
  describeRewrite,
  describeUnlock,
} from './describe-admin.js';
export { keyNameOf } from './key-name.js';
export { type AuditLog, type AuditQuery, queryAuditLog } from './query.js';
export { recordInit } from './record-init.js';
export { parseSince } from './since.js';
