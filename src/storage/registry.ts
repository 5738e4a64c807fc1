// Backends by location scheme, and openStorage: a location string in, a ready (retrying) Storage out.

import { LocalStorage } from './local.js';
import { LazyStorage } from './lazy.js';
import { formatLocation, parseLocation, type Location } from './location.js';
import { MemoryStorage } from './memory.js';
import { readOnly } from './read-only.js';
import type { S3StorageOptions } from './s3.js';
import type { Storage } from './storage.js';
import { withRetry, type RetryOptions } from './with-retry.js';

export interface OpenStorageOptions {
  /** Retry settings, or false for none (tests of raw backends). Default: withRetry's defaults. */
  readonly retry?: RetryOptions | false;
  /** S3 settings the location string cannot carry: credentials, part sizes, page size, timeouts. */
  readonly s3?: Partial<Omit<S3StorageOptions, 'endpoint' | 'bucket' | 'prefix'>>;
  /** Refuse put, delete and create (restore, check, drills). */
  readonly readOnly?: boolean;
}

type Factories = {
  readonly [S in Location['scheme']]: (
    location: Extract<Location, { scheme: S }>,
    opts: OpenStorageOptions,
  ) => Storage;
};

/** One entry per scheme; a new backend is a new entry here plus its form in location.ts. */
const factories: Factories = {
  local: (location) => new LocalStorage(location.path),
  s3: (location, opts) =>
    new LazyStorage(formatLocation(location), async () => {
      const { S3Storage } = await import('./s3.js');
      return new S3Storage({
        ...opts.s3,
        endpoint: location.endpoint,
        bucket: location.bucket,
        prefix: location.prefix,
      });
    }),
  memory: () => new MemoryStorage(),
};

/**
 * Opens the storage a location names (see parseLocation for the forms), wrapped in withRetry.
 * Throws UsageError for a location it cannot parse. Nothing is contacted until the first call.
 */
export function openStorage(location: string | Location, opts: OpenStorageOptions = {}): Storage {
  const parsed = typeof location === 'string' ? parseLocation(location) : location;
  // TypeScript cannot tie factories[scheme] to the narrowed location; the mapped type guarantees it
  const factory = factories[parsed.scheme] as (location: Location, opts: OpenStorageOptions) => Storage;
  let storage = factory(parsed, opts);
  if (opts.retry !== false) storage = withRetry(storage, opts.retry);
  return opts.readOnly ? readOnly(storage) : storage;
}
