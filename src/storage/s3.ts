// S3 storage (AWS SDK v3): AWS itself and S3-compatibles (MinIO, Ceph RGW, B2, Wasabi, R2) through one client.

import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
  type BucketLocationConstraint,
  type ObjectLockMode,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { errorName, httpStatus, s3Error } from './s3-errors.js';
import {
  AlreadyExistsError,
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  NotFoundError,
  rangeNotSatisfiable,
  type CreateOptions,
  type GetOptions,
  type ListEntry,
  type ObjectLock,
  type PutOptions,
  type Retention,
  type SignalOption,
  type Storage,
} from './storage.js';

const MiB = 1024 * 1024;

export interface S3StorageOptions {
  /** `https://host[:port]` of an S3-compatible service; omit for AWS. Never contains credentials. */
  endpoint?: string;
  bucket: string;
  /** Folder-like prefix inside the bucket (`coffer/council`); objects go to `<prefix>/<key>`. */
  prefix?: string;
  /** Default: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
  region?: string;
  /** Bucket in the path (`host/bucket/key`) rather than the host name. Default: true when `endpoint` is given. */
  forcePathStyle?: boolean;
  /** Default: the SDK's standard chain (environment, shared config and credentials files, SSO, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bodies larger than this go up in parts. Default 64 MiB. */
  multipartThreshold?: number;
  /** Part size for multipart uploads. Default 16 MiB; at least 5 MiB (S3's minimum). */
  partSize?: number;
  /** Parts uploaded at once. Default 4. */
  partConcurrency?: number;
  /** Keys per ListObjectsV2 page. Default 1000 (S3's maximum); tests lower it to cross page boundaries. */
  listPageSize?: number;
  /** Give up on a connection that is not established in this time. Default 10 s. */
  connectionTimeoutMs?: number;
  /** Give up on a request whose socket stays silent this long. Default 120 s. */
  socketTimeoutMs?: number;
}

/**
 * One bucket (and optional prefix) as a Storage. The SDK's own retries are off (`maxAttempts: 1`):
 * `withRetry` decides, with the same policy for every backend. Checksums are computed only when an
 * operation requires them, because the SDK's default (aws-chunked uploads with CRC32 trailers) is
 * rejected or, worse, silently mis-stored by several S3-compatibles (docs: notes/s3-servers.md).
 * Integrity of a single PUT is still checked by the server through Content-MD5.
 */
export class S3Storage implements Storage {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #host: string;
  readonly #multipartThreshold: number;
  readonly #partSize: number;
  readonly #partConcurrency: number;
  readonly #listPageSize: number;
  /** S3 Object Lock: retention on put, reading and extending it (see {@link ObjectLock}). */
  readonly objectLock: ObjectLock = {
    enabled: (opts) => this.#lockEnabled(opts),
    retention: (key, opts) => this.#retention(key, opts),
    extend: (key, retention, opts) => this.#extend(key, retention, opts),
  };

  constructor(options: S3StorageOptions) {
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const endpoint = options.endpoint?.replace(/\/+$/, '');
    if (endpoint !== undefined && new URL(endpoint).username !== '') {
      throw new TypeError('S3 endpoint must not contain credentials');
    }
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ? options.prefix.replace(/^\/+|\/+$/g, '') + '/' : '';
    if (this.#prefix !== '') assertValidPrefix(this.#prefix);
    this.#host = endpoint ? new URL(endpoint).host : `s3.${region}.amazonaws.com`;
    this.#multipartThreshold = options.multipartThreshold ?? 64 * MiB;
    this.#partSize = Math.max(5 * MiB, options.partSize ?? 16 * MiB);
    this.#partConcurrency = Math.max(1, options.partConcurrency ?? 4);
    this.#listPageSize = Math.min(1000, Math.max(1, options.listPageSize ?? 1000));
    this.location = `s3:${endpoint ? `${endpoint}/` : ''}${this.#bucket}${this.#prefix ? `/${this.#prefix.slice(0, -1)}` : ''}`;
    this.#client = new S3Client({
      region,
      endpoint,
      forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
      // AWS answers 301 for a bucket in another region; follow it instead of failing
      followRegionRedirects: endpoint === undefined,
      credentials: options.credentials,
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 10_000,
        // an idle-socket timeout, not a total one: a large part on a slow line may take minutes
        socketTimeout: options.socketTimeoutMs ?? 120_000,
      },
    });
  }

  async get(key: string, opts: GetOptions = {}): Promise<Uint8Array> {
    const { signal, range } = opts;
    signal?.throwIfAborted();
    assertValidKey(key);
    if (range) assertValidRange(range);
    try {
      const res = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
        }),
        { abortSignal: signal },
      );
      let bytes = res.Body ? await raceSignal(res.Body.transformToByteArray(), signal) : new Uint8Array(0);
      // a server that ignores Range sends the whole object (200, no Content-Range)
      if (range && res.ContentRange === undefined && bytes.length > range.length) {
        bytes = bytes.subarray(range.offset, range.offset + range.length);
      }
      if (range && bytes.length !== range.length) throw rangeNotSatisfiable(key, range);
      return bytes;
    } catch (err) {
      if (range && httpStatus(err) === 416) throw rangeNotSatisfiable(key, range);
      throw this.#error('get', key, err, signal);
    }
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    assertValidKey(key);
    const Body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const params: PutObjectCommandInput = { Bucket: this.#bucket, Key: this.#prefix + key, Body };
    try {
      if (opts.ifAbsent) {
        // If-None-Match makes the put conditional on services that honour it (AWS since 2024, Ceph
        // RGW, MinIO). Some ignore it (s3rver, older gateways), so look first as well. Two writers
        // can still both pass the look on such a service and the later one wins: the race is
        // between HEAD and PUT, and only conditional-write support on the service closes it.
        if (await this.stat(key, { signal })) throw new AlreadyExistsError(key);
        params.IfNoneMatch = '*';
      }
      if (body.byteLength > this.#multipartThreshold) {
        await this.#putMultipart(params, signal);
        // Retention is set once the object exists: Ceph RGW 16 ignores lock headers on
        // CreateMultipartUpload (measured), and AWS would want a checksum on every part with them.
        if (opts.retention) await this.#extend(key, opts.retention, { ...(signal ? { signal } : {}) });
      } else {
        params.ContentLength = body.byteLength;
        // Content-MD5 is also what S3 requires of a put with Object Lock headers
        params.ContentMD5 = createHash('md5').update(body).digest('base64');
        if (opts.retention) {
          params.ObjectLockMode = s3Mode(opts.retention);
          params.ObjectLockRetainUntilDate = opts.retention.until;
        }
        await this.#client.send(new PutObjectCommand(params), { abortSignal: signal });
      }
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw err;
      if (opts.ifAbsent && !signal?.aborted && [409, 412].includes(httpStatus(err) ?? 0)) {
        throw new AlreadyExistsError(key, { cause: err });
      }
      throw this.#error('put', key, err, signal);
    }
  }

  async *list(prefix: string, opts: SignalOption = {}): AsyncIterable<ListEntry> {
    const { signal } = opts;
    signal?.throwIfAborted();
    assertValidPrefix(prefix);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix + prefix,
            MaxKeys: this.#listPageSize,
            ContinuationToken: token,
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        throw this.#error('list', prefix, err, signal);
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.#prefix.length);
        // "folder" placeholders some consoles create are not objects
        if (key === undefined || key === '' || key.endsWith('/')) continue;
        yield { key, size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async stat(key: string, opts: SignalOption = {}): Promise<{ size: number } | undefined> {
    const { signal } = opts;
    signal?.throwIfAborted();
    assertValidKey(key);
    try {
      const res = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
        {
          abortSignal: signal,
        },
      );
      return { size: res.ContentLength ?? 0 };
    } catch (err) {
      if (httpStatus(err) === 404 && !signal?.aborted) return undefined;
      throw this.#error('stat', key, err, signal);
    }
  }

  async delete(key: string, opts: SignalOption = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    assertValidKey(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }), {
        abortSignal: signal,
      });
    } catch (err) {
      // S3 answers 204 for a missing key; a few compatibles say 404, which means the same here
      if (httpStatus(err) === 404 && errorName(err) !== 'NoSuchBucket' && !signal?.aborted) return;
      throw this.#error('delete', key, err, signal);
    }
  }

  /**
   * Creates the bucket unless it exists. On AWS outside us-east-1 the region must be named on creation.
   * With `objectLock`, a bucket created here has Object Lock on (which turns versioning on); an existing
   * bucket is left as it is: the caller checks `objectLock.enabled()`.
   */
  async create(opts: CreateOptions = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }), { abortSignal: signal });
      return;
    } catch (err) {
      if (httpStatus(err) !== 404 || signal?.aborted) throw this.#error('create', '', err, signal);
    }
    try {
      const region = await this.#client.config.region();
      const onAwsElsewhere = this.#host.endsWith('.amazonaws.com') && region !== 'us-east-1';
      await this.#client.send(
        new CreateBucketCommand({
          Bucket: this.#bucket,
          CreateBucketConfiguration: onAwsElsewhere
            ? { LocationConstraint: region as BucketLocationConstraint }
            : undefined,
          ...(opts.objectLock ? { ObjectLockEnabledForBucket: true } : {}),
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (errorName(err) === 'BucketAlreadyOwnedByYou') return;
      throw this.#error('create', '', err, signal);
    }
  }

  /**
   * Closes the client's kept-alive connections. The storage must not be used afterwards. Optional:
   * a process that exits closes them anyway, but a long-lived one (daemon, tests) should call it.
   */
  destroy(): void {
    this.#client.destroy();
  }

  async #putMultipart(params: PutObjectCommandInput, signal: AbortSignal | undefined): Promise<void> {
    const abortController = new AbortController();
    const onAbort = (): void => abortController.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // parts that fail make Upload abort the multipart upload, so no orphaned parts are billed
      const upload = new Upload({
        client: this.#client,
        params,
        partSize: this.#partSize,
        queueSize: this.#partConcurrency,
        leavePartsOnError: false,
        abortController,
      });
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #lockEnabled(opts: SignalOption = {}): Promise<boolean> {
    const { signal } = opts;
    signal?.throwIfAborted();
    try {
      const res = await this.#client.send(new GetObjectLockConfigurationCommand({ Bucket: this.#bucket }), {
        abortSignal: signal,
      });
      return res.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
    } catch (err) {
      // never configured; or a service that has no Object Lock at all (501 Not Implemented)
      const name = errorName(err);
      if (!signal?.aborted && (name === 'ObjectLockConfigurationNotFoundError' || httpStatus(err) === 501)) {
        return false;
      }
      throw this.#error('lock-config', '', err, signal);
    }
  }

  /** The current version's retention from HEAD, which carries it (and needs no extra permission on RGW). */
  async #retention(key: string, opts: SignalOption = {}): Promise<Retention | undefined> {
    const { signal } = opts;
    signal?.throwIfAborted();
    assertValidKey(key);
    try {
      const res = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
        { abortSignal: signal },
      );
      const until = res.ObjectLockRetainUntilDate;
      if (!res.ObjectLockMode || !until) return undefined;
      return {
        mode: res.ObjectLockMode === 'COMPLIANCE' ? 'compliance' : 'governance',
        until: new Date(until),
      };
    } catch (err) {
      if (httpStatus(err) === 404 && !signal?.aborted) throw new NotFoundError(key, { cause: err });
      throw this.#error('retention', key, err, signal);
    }
  }

  async #extend(key: string, retention: Retention, opts: SignalOption = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    assertValidKey(key);
    try {
      await this.#client.send(
        new PutObjectRetentionCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Retention: { Mode: s3Mode(retention), RetainUntilDate: retention.until },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (httpStatus(err) === 404 && errorName(err) !== 'NoSuchBucket' && !signal?.aborted) {
        throw new NotFoundError(key, { cause: err });
      }
      throw this.#error('extend retention of', key, err, signal);
    }
  }

  #error(operation: string, key: string, err: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason;
    return s3Error(operation, key, this.#host, this.#bucket, err);
  }
}

function s3Mode(retention: Retention): ObjectLockMode {
  return retention.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE';
}

/** Settles like `promise`, but rejects with the signal's reason as soon as it fires. */
async function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    signal.throwIfAborted();
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    promise.catch(() => {}); // the loser of the race may still reject; nobody waits for it
  }
}
