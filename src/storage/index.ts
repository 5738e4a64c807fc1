// Storage: where repository objects live (local folder, S3, memory), behind one interface with retry and fault wrappers.

export {
  AlreadyExistsError,
  NotFoundError,
  StorageError,
  StorageUnavailableError,
  assertValidKey,
  assertValidPrefix,
  type CreateOptions,
  type GetOptions,
  type ListEntry,
  type ObjectLock,
  type PutOptions,
  type Retention,
  type RetentionMode,
  type SignalOption,
  type Storage,
} from './storage.js';
export { LocalStorage } from './local.js';
export { MemoryStorage } from './memory.js';
// S3Storage itself is imported from './s3.js' where needed, so loading this folder does not load the AWS SDK.
export type { S3StorageOptions } from './s3.js';
export { formatLocation, parseLocation, redactLocation, type Location } from './location.js';
export { openStorage, type OpenStorageOptions } from './registry.js';
export { isTransient, withRetry, type RetryOptions } from './with-retry.js';
export {
  withFaults,
  type FaultCall,
  type FaultError,
  type FaultOp,
  type FaultRule,
  type FaultyStorage,
} from './with-faults.js';
export { readOnly } from './read-only.js';
