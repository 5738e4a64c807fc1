// Repository locations: the strings users type after -r, parsed into what the registry needs to open them.

import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';

export type Location =
  | { readonly scheme: 'local'; readonly path: string }
  | { readonly scheme: 's3'; readonly endpoint?: string; readonly bucket: string; readonly prefix: string }
  | { readonly scheme: 'memory' };

const FORMS = [
  '/absolute/folder or relative/folder (or local:/folder)',
  's3:bucket[/prefix] (Amazon S3)',
  's3:https://host[:port]/bucket[/prefix] (an S3-compatible service; http:// for a local test server)',
].join('; ');

const SEGMENT = /^[A-Za-z0-9_.-]+$/;
// permissive on purpose: AWS's own rules are stricter, but Ceph and older AWS buckets allow more
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

/**
 * Parses a repository location:
 * - `/abs/path`, `relative/path` (made absolute against the working folder), `~/path`, `local:/path`;
 * - `s3:bucket[/prefix]` (AWS, default endpoint; `s3://bucket/prefix` as the AWS CLI writes it also works);
 * - `s3:https://host[:port]/bucket[/prefix]` and `s3:http://...` (custom endpoint, path-style);
 * - `memory:` (tests only).
 * Credentials in the location (`https://key:secret@host`) are refused without echoing them:
 * locations end up in logs, shell history and process listings.
 */
export function parseLocation(input: string): Location {
  const str = input.trim();
  if (str === '') throw bad(input, 'the location is empty');
  if (str === 'memory:') return { scheme: 'memory' };
  if (str.startsWith('local:'))
    return { scheme: 'local', path: localPath(input, str.slice('local:'.length)) };
  if (str.startsWith('s3:')) return parseS3(input, str.slice('s3:'.length));
  // `C:` would be a drive letter on Windows; anything else `word:` is a scheme we do not know
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(str);
  if (scheme) {
    const hint = /^https?$/i.test(scheme[1] ?? '')
      ? 'an S3-compatible service is written s3:https://host/bucket'
      : `for a folder whose name has a colon, write ./${redactLocation(str)}`;
    throw bad(input, `unknown location type "${scheme[1]}:" (${hint})`);
  }
  return { scheme: 'local', path: localPath(input, str) };
}

/** The location with any `user:password@` replaced by `***@`, safe for messages and logs. */
export function redactLocation(input: string): string {
  // greedy up to the last "@": a secret may itself contain "/" (AWS secret keys do)
  return input.replace(/\/\/\S*@/g, '//***@');
}

/** The canonical string for a parsed location (what `Storage.location` shows). */
export function formatLocation(location: Location): string {
  switch (location.scheme) {
    case 'memory':
      return 'memory:';
    case 'local':
      return location.path;
    case 's3': {
      const tail = location.prefix ? `${location.bucket}/${location.prefix}` : location.bucket;
      return location.endpoint ? `s3:${location.endpoint}/${tail}` : `s3:${tail}`;
    }
  }
}

function localPath(input: string, p: string): string {
  if (p === '') throw bad(input, 'the folder is missing');
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(p);
}

function parseS3(input: string, rest: string): Location {
  if (/^https?:\/\//i.test(rest)) {
    let url: URL;
    try {
      url = new URL(rest);
    } catch {
      throw bad(input, 'the endpoint is not a valid URL');
    }
    if (url.username || url.password) {
      throw new UsageError(
        `the repository location ${redactLocation(input)} contains credentials; remove them and give them ` +
          'with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile) instead',
      );
    }
    if (url.search || url.hash) throw bad(input, 'query strings and fragments are not allowed');
    const [bucket, prefix] = bucketAndPrefix(input, url.pathname.replace(/^\/+/, ''));
    return { scheme: 's3', endpoint: `${url.protocol}//${url.host}`, bucket, prefix };
  }
  if (rest.includes('@')) {
    // most likely key:secret@bucket; say nothing of what was typed
    throw new UsageError(
      'invalid repository location: an "@" is not allowed in an S3 location (credentials belong in ' +
        `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Accepted forms: ${FORMS}`,
    );
  }
  const [bucket, prefix] = bucketAndPrefix(input, rest.replace(/^\/\//, ''));
  return { scheme: 's3', bucket, prefix };
}

function bucketAndPrefix(input: string, p: string): [string, string] {
  const [bucket = '', ...segments] = p.replace(/\/+$/, '').split('/');
  if (bucket === '') throw bad(input, 'the bucket name is missing');
  if (!BUCKET.test(bucket)) throw bad(input, `"${bucket}" is not a valid bucket name`);
  if (segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw bad(input, 'the prefix may hold only letters, digits, "-", "_" and "." between single slashes');
  }
  return [bucket, segments.join('/')];
}

function bad(input: string, why: string): UsageError {
  return new UsageError(
    `invalid repository location "${redactLocation(input)}": ${why}. Accepted forms: ${FORMS}`,
  );
}
