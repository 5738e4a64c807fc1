// The repository format (docs/format.md): config, keys, blobs, packs, and opening a repository.

export {
  type Compression,
  decodePayload,
  encodePayload,
  MIN_COMPRESS_SIZE,
  ZSTD_LEVEL,
} from './compression.js';
export {
  type ChunkerParams,
  DEFAULT_CHUNKER,
  DEFAULT_PACK_SIZE,
  isLockPolicy,
  type LockPolicy,
  MAX_LOCK_DAYS,
  type RepositoryConfig,
} from './config.js';
export { ADMIN_ROLE, requireAdmin } from './append-only.js';
export { defaultCacheDir, LockHorizons } from './lock-horizons.js';
export { activeObjectLock, lockPeriodMs, RETENTION_REQUESTS_AT_ONCE, stillRetained } from './object-lock.js';
export {
  AD,
  type BlobType,
  CONFIG_KEY,
  FORMAT_VERSION,
  idFromKey,
  type ObjectKind,
  objectKey,
} from './format.js';
export { type KeyMeta, parseKeyFile, unwrapMasterKey } from './key-file.js';
export { type MasterKey } from './master-key.js';
export { objectIdOf, verifyObjectId } from './object-id.js';
export { blobIdOf, openBlob, type SealedBlob, sealBlob } from './blob.js';
export { assemblePack, PackBuilder, type PackEntry, readPackHeader } from './pack.js';
export { passwordFromFileText } from './password.js';
export {
  formatRecoveryKey,
  generateRecoveryKey,
  looksLikeRecoveryKey,
  normalizeRecoveryKey,
} from './recovery-key.js';
export {
  addKey,
  changePassword,
  createRecoveryKey,
  findKey,
  type KeyInfo,
  listKeys,
  RECOVERY_KEY_NAME,
  removeKey,
} from './keys.js';
export {
  defaultKeyName,
  initRepository,
  type InitOptions,
  type KdfCost,
  type KeyHolder,
  openRepository,
  readConfigObject,
  type Repository,
} from './repository.js';
export { BlobWriter, type BlobWriterStats } from './blob-writer.js';
export {
  BlobDamageError,
  BlobWorkers,
  type PackBlobEntry,
  transferable,
  type WorkerFileHash,
} from './blob-workers.js';
export { BufferPool } from './buffer-pool.js';
export { BOX_OVERHEAD } from './pack-buffer.js';
export { hashHere, hashOnWorker, type PackHasher } from './pack-hasher.js';
export {
  type BlobReader,
  BlobNotFoundError,
  type ParallelBlobReader,
  RepositoryBlobReader,
  type WriteBlobsOptions,
  type WrittenBlobs,
} from './blob-reader.js';
export { openBlobAsync } from './blob.js';
export {
  decodeIndex,
  encodeIndex,
  IndexBuilder,
  type IndexedBlob,
  type IndexedPack,
  type IndexFile,
  type IndexVisitor,
  scanIndex,
} from './index-file.js';
export { type BlobLocation, loadMasterIndex, mapLimit, MasterIndex } from './master-index.js';
export { listObjectIds, loadObject, resolveObjectId, saveObject, type SealedKind } from './objects.js';
export {
  appendAuditRecord,
  type AuditOperation,
  type AuditOutcome,
  type AuditRecord,
  decodeAuditRecord,
  type NewAuditRecord,
  readAuditLog,
  type StoredAuditRecord,
} from './audit.js';
export { decodeSnapshot, encodeSnapshot, type Snapshot, type SnapshotSummary } from './snapshot.js';
export {
  findParent,
  loadSnapshots,
  matchesFilter,
  selectSnapshot,
  type SnapshotFilter,
  SnapshotNotFoundError,
  type StoredSnapshot,
} from './snapshots.js';
export {
  checkName,
  compareNames,
  decodeTree,
  encodeTree,
  isoToNs,
  nameText,
  type NodeType,
  nsToIso,
  type Tree,
  type TreeNode,
} from './tree.js';
export { findNode, loadTree, readFileContent, type WalkEntry, walkTree } from './tree-walker.js';
export { TreeCache } from './tree-cache.js';
export {
  acquireLock,
  type HeldLock,
  type LockInfo,
  listLocks,
  REFRESH_MS,
  removeLocks,
  STALE_AFTER_MS,
  type StoredLock,
  withLock,
} from './locks.js';
export { type RetryLockOptions, retryWhileLocked } from './lock-retry.js';
export { collectUsedBlobs } from './used-blobs.js';
export { BlobIdSet, type BlobIdSetLike, IndexedBlobSet, type ReadonlyBlobIdSet } from './blob-id-set.js';
