// Classifying S3 SDK and network errors: missing, transient (worth a retry) or permanent, with a message
// that names the endpoint and key and never the credentials.

import { NotFoundError, StorageError, TRANSIENT_NETWORK_CODES } from './storage.js';

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
]);
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'BadDigest', // Content-MD5 mismatch: the body was damaged on the way
  'IncompleteBody',
  'TimeoutError',
]);

/**
 * Classifies an SDK or network error: NotFoundError for a missing key (or bucket), transient for
 * what may pass (5xx, throttling, timeouts, dropped connections), permanent otherwise; messages name
 * the host and key, and say what to check. Exported for its table-driven test.
 */
export function s3Error(
  operation: string,
  key: string,
  host: string,
  bucket: string,
  err: unknown,
): StorageError {
  if (err instanceof StorageError) return err;
  const status = httpStatus(err);
  const name = errorName(err);
  const code = errnoCode(err);
  const detail = describe(err, status, name);
  // answers without a body (HEAD) leave the SDK only the status: it names them "Unknown"
  const label = name && !/^Unknown(Error)?$/.test(name) ? name : `HTTP ${status}`;
  const where = `${operation}${key ? ` ${key}` : ''} at ${host}`;
  const make = (reason: string, transient = false): StorageError =>
    new StorageError(operation, key, `${where}: ${reason}`, { transient, cause: err, reason });

  if (name === 'NoSuchBucket') {
    if (operation === 'get') return new NotFoundError(key, { cause: err });
    return make(`bucket ${bucket} does not exist`);
  }
  if (name === 'NoSuchKey' || (status === 404 && operation === 'get'))
    return new NotFoundError(key, { cause: err });
  if (CREDENTIAL_ERRORS.has(name ?? '')) {
    return make(`the credentials were refused (${name}): check the access key ID and secret access key`);
  }
  if (status === 403 || name === 'AccessDenied') {
    if (name === 'RequestTimeTooSkewed') {
      return make(`this computer's clock differs too much from the server's (${name}): correct the clock`);
    }
    return make(
      `access denied (${label}): the credentials were refused or lack permission for bucket ${bucket}`,
    );
  }
  if (name === 'CredentialsProviderError') {
    return make(
      'no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure an AWS profile',
    );
  }
  if (code === 'ENOTFOUND') return make(`cannot resolve host ${host}: check the endpoint's spelling`);
  if (name === 'TimeoutError') {
    const what = (err instanceof Error ? err.message : '').replace(/^@smithy\/[\w-]+ - /, '');
    return make(`${host} did not answer in time: ${what}`, true);
  }
  const transient =
    (status !== undefined && (status >= 500 || status === 429)) ||
    TRANSIENT_NAMES.has(name ?? '') ||
    TRANSIENT_NETWORK_CODES.has(code ?? '') ||
    /socket hang up|ECONNRESET|timed? ?out/i.test(err instanceof Error ? err.message : '');
  return make(detail, transient);
}

function describe(err: unknown, status: number | undefined, name: string | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  if (status === undefined) return message;
  // HEAD answers have no body, so the SDK's message is often just the status or "UnknownError"
  const shownName = name && !/^Unknown(Error)?$/.test(name) ? ` ${name}` : '';
  const generic =
    message === '' || message === name || /^Unknown(Error)?$/.test(message) || /^\d+$/.test(message);
  return generic ? `HTTP ${status}${shownName}` : `HTTP ${status}${shownName}: ${message}`;
}

export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return undefined;
  const meta = err.$metadata;
  if (typeof meta !== 'object' || meta === null || !('httpStatusCode' in meta)) return undefined;
  return typeof meta.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}
