// Read-only wrapper: for commands that must not change the repository (restore, check, drills, ls).

import {
  StorageError,
  type ObjectLock,
  type PutOptions,
  type SignalOption,
  type Storage,
} from './storage.js';

/** `storage` with writes refused: put, delete and create throw a StorageError before touching anything. */
export function readOnly(storage: Storage): Storage {
  const refuse = (operation: string, key: string): Promise<never> =>
    Promise.reject(
      new StorageError(
        operation,
        key,
        `cannot ${operation} ${key || storage.location}: the repository is opened read-only`,
      ),
    );
  return {
    get location() {
      return storage.location;
    },
    get: (key, opts) => storage.get(key, opts),
    list: (prefix, opts) => storage.list(prefix, opts),
    stat: (key, opts) => storage.stat(key, opts),
    put: (key: string, _body: Uint8Array, _opts?: PutOptions) => refuse('put', key),
    delete: (key: string, _opts?: SignalOption) => refuse('delete', key),
    create: (_opts?: SignalOption) => refuse('create', ''),
    ...(storage.objectLock ? { objectLock: readOnlyLock(storage.objectLock, refuse) } : {}),
    ...(storage.localFile ? { localFile: storage.localFile.bind(storage) } : {}),
  };
}

/** Retention can be read, not changed. */
function readOnlyLock(
  lock: ObjectLock,
  refuse: (operation: string, key: string) => Promise<never>,
): ObjectLock {
  return {
    enabled: (opts) => lock.enabled(opts),
    retention: (key, opts) => lock.retention(key, opts),
    extend: (key) => refuse('extend retention of', key),
  };
}
