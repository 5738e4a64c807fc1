// Sorting what went wrong while reading: damage to the repository, a storage that could not be reached, or a bug.

import { CorruptObjectError } from '../errors.js';
import { NotFoundError, StorageError } from '../storage/index.js';

export interface Failure {
  /** `missing`: the object is not there; `damaged`: it is there but wrong; `unreadable`: the storage failed. */
  readonly what: 'missing' | 'damaged' | 'unreadable';
  readonly message: string;
}

/**
 * Classifies an error thrown while reading one object, so the check can record it and go on. Anything
 * else (an interruption, a bug) is rethrown and ends the check.
 */
export function classify(err: unknown, signal?: AbortSignal): Failure {
  if (signal?.aborted) throw err;
  if (err instanceof NotFoundError) return { what: 'missing', message: err.message };
  if (err instanceof StorageError) return { what: 'unreadable', message: err.message };
  if (err instanceof CorruptObjectError) return { what: 'damaged', message: err.message };
  throw err;
}
