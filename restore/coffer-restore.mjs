#!/usr/bin/env node
// coffer-restore.mjs: the standalone emergency restorer for coffer repositories (format version 1).
//
// Written from docs/format.md alone, sharing no code with the coffer program, to prove that the
// written format is enough to get a council's data back. It needs only Node.js (24 or later, for
// zstd in node:zlib) and the npm package libsodium-wrappers-sumo. Section numbers (§) below are
// those of docs/format.md. How to use it in an emergency: docs/dr-runbook.md.
//
//   node coffer-restore.mjs --repo LOCATION --list
//   node coffer-restore.mjs --repo LOCATION [--snapshot latest|ID-PREFIX] [--path /abs/path] --target DIR
//
// LOCATION is a folder (or local:/folder), s3:https://host[:port]/bucket[/prefix], s3:http://...,
// or s3:bucket[/prefix] for Amazon S3 itself (region from AWS_REGION).
// The password (or the recovery key from the printed sheet) comes from COFFER_PASSWORD_FILE,
// COFFER_PASSWORD or a prompt. Exit codes: 0 every file restored and verified, 1 failure,
// 2 usage, 10 no repository, 12 wrong password, 130 interrupted.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { constants as FS, promises as fsp, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import sodium from 'libsodium-wrappers-sumo';

const FORMAT_VERSION = 1;
const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, NO_REPOSITORY: 10, WRONG_PASSWORD: 12, INTERRUPTED: 130 };
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_PAYLOAD = 1 << 30; // a zstd bomb in a damaged box must not take all memory

const USAGE = `Usage: node coffer-restore.mjs --repo LOCATION --list
       node coffer-restore.mjs --repo LOCATION [--snapshot latest|ID-PREFIX] [--path /abs/path]
                               --target DIR [--force] [--sha256sums FILE]

  --repo, -r LOCATION  a folder, or s3:https://host[:port]/bucket[/prefix] (or COFFER_REPOSITORY)
  --list               list the snapshots (id, time, host, tags, size, paths) and stop
  --snapshot ID        which snapshot: "latest" (default) or the first characters of its id
  --path /abs/path     restore only this folder or file of the snapshot
  --target DIR         restore into this folder (new or empty); a snapshot path /a/b lands in DIR/a/b
  --force              allow a target that is not empty (existing files are replaced, never followed)
  --sha256sums FILE    also write a "sha256sum -c" list of the restored files (paths relative to DIR)

Password: COFFER_PASSWORD_FILE, COFFER_PASSWORD, or asked on the terminal; the recovery key from the
printed sheet works too. S3 credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
(AWS_SESSION_TOKEN), region AWS_REGION (default us-east-1).
Exit codes: 0 all restored and verified, 1 failure, 2 usage, 10 no repository, 12 wrong password.`;

/** An error that ends the program with a message for the user and an exit code. */
class RestoreError extends Error {
  constructor(message, exitCode = EXIT.FAILURE) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A stored object whose bytes are not what the format says: names the object. */
class DamageError extends RestoreError {
  constructor(objectKey, why) {
    super(`damaged object ${objectKey}: ${why}`);
    this.objectKey = objectKey;
  }
}

/** The storage cannot be reached or refuses access: no point going on file by file. */
class StorageError extends RestoreError {}

class NotFoundError extends Error {
  constructor(key) {
    super(`object ${key} does not exist`);
    this.key = key;
  }
}

const warn = (message) => process.stderr.write(`warning: ${message}\n`);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest();

// ---------------------------------------------------------------------------------------------
// Storage (§2): get (whole or a byte range) and list, for a local folder and for S3.

/** Parses a repository location; throws a usage error (exit 2) for nonsense. */
export function parseLocation(location, env = process.env) {
  if (!location) throw new RestoreError('no repository given: use --repo LOCATION', EXIT.USAGE);
  if (location.startsWith('s3:')) {
    const rest = location.slice(3);
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    let origin;
    let parts;
    if (/^https?:\/\//i.test(rest)) {
      let url;
      try {
        url = new URL(rest);
      } catch {
        throw new RestoreError('the S3 location is not a valid URL', EXIT.USAGE);
      }
      if (url.username || url.password) {
        throw new RestoreError(
          'do not write credentials into the location; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
          EXIT.USAGE,
        );
      }
      origin = url.origin;
      try {
        parts = url.pathname
          .split('/')
          .filter(Boolean)
          .map((p) => decodeURIComponent(p));
      } catch {
        throw new RestoreError('the S3 location has a bad %-escape', EXIT.USAGE);
      }
    } else {
      origin = `https://s3.${region}.amazonaws.com`;
      parts = rest.split('/').filter(Boolean);
    }
    if (parts.length === 0) throw new RestoreError('the S3 location names no bucket', EXIT.USAGE);
    return { kind: 's3', origin, bucket: parts[0], prefix: parts.slice(1).join('/'), region };
  }
  const folder = location.startsWith('local:') ? location.slice('local:'.length) : location;
  return { kind: 'local', root: path.resolve(folder) };
}

class LocalStorage {
  constructor(root) {
    this.root = root;
    this.description = root;
  }

  #file(key) {
    return path.join(this.root, ...key.split('/'));
  }

  async get(key, range) {
    try {
      if (!range) return await fsp.readFile(this.#file(key));
      const fh = await fsp.open(this.#file(key), 'r');
      try {
        const buf = Buffer.alloc(range.length);
        let done = 0;
        while (done < range.length) {
          const { bytesRead } = await fh.read(buf, done, range.length - done, range.offset + done);
          if (bytesRead === 0) throw new DamageError(key, 'it is shorter than the index says (truncated?)');
          done += bytesRead;
        }
        return buf;
      } finally {
        await fh.close();
      }
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new NotFoundError(key);
      throw err;
    }
  }

  /** Every object under a folder-like prefix ("keys/"), with its size; skips `.tmp-` files (§2). */
  async *list(prefix) {
    const walk = async function* (dir, keyPrefix) {
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (err.code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        if (e.name.startsWith('.tmp-')) continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) yield* walk(full, `${keyPrefix}${e.name}/`);
        else if (e.isFile()) yield { key: `${keyPrefix}${e.name}`, size: (await fsp.stat(full)).size };
      }
    };
    yield* walk(this.#file(prefix.replace(/\/$/, '')), prefix);
  }
}

// Why no AWS SDK: in an emergency every extra dependency is one more thing that can fail to install,
// change its behaviour between versions, or need trusting. Reading a repository needs only two S3
// calls, GET (with Range) and ListObjectsV2, signed with AWS Signature Version 4: under 200 lines
// of node:crypto and fetch that anyone can audit, and that work with any S3-compatible storage.

const EMPTY_SHA256 = sha256(Buffer.alloc(0)).toString('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
const uriEncode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * AWS Signature Version 4 for a request without a body. `canonicalUri` and `canonicalQuery` must
 * already be encoded (and the query sorted) exactly as they are sent. Returns the headers to send
 * (including `host`, which fetch sets by itself from the URL).
 */
export function signV4({
  method,
  host,
  canonicalUri,
  canonicalQuery = '',
  headers = {},
  accessKeyId,
  secretAccessKey,
  sessionToken,
  region,
  service = 's3',
  date = new Date(),
}) {
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': amzDate };
  if (sessionToken) all['x-amz-security-token'] = sessionToken;
  const names = Object.keys(all)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names
    .map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    EMPTY_SHA256,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest).toString('hex')].join(
    '\n',
  );
  const kDate = hmac(`AWS4${secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, region), service), 'aws4_request');
  const signature = hmac(kSigning, stringToSign).toString('hex');
  lower.authorization =
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return lower;
}

const xmlText = (s) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e) => {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e.toLowerCase()];
    if (named) return named;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
const xmlTag = (xml, tag) => {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? xmlText(m[1]) : undefined;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class S3Storage {
  static ATTEMPTS = 5;

  constructor({ origin, bucket, prefix, region }, env = process.env) {
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
      throw new RestoreError(
        'S3 storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (from your storage provider account)',
        EXIT.USAGE,
      );
    }
    this.origin = origin;
    this.host = new URL(origin).host;
    this.bucket = bucket;
    this.prefix = prefix;
    this.region = region;
    this.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    };
    this.description = `s3:${origin}/${bucket}${prefix ? `/${prefix}` : ''}`;
  }

  #objectKey(key) {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** One signed GET, retried on network errors, throttling and server errors. */
  async #send(canonicalUri, canonicalQuery, headers = {}) {
    const url = `${this.origin}${canonicalUri}${canonicalQuery ? `?${canonicalQuery}` : ''}`;
    let cause;
    for (let attempt = 1; attempt <= S3Storage.ATTEMPTS; attempt++) {
      if (attempt > 1) await sleep(250 * 2 ** (attempt - 2));
      const signed = signV4({
        method: 'GET',
        host: this.host,
        canonicalUri,
        canonicalQuery,
        headers,
        region: this.region,
        ...this.credentials,
      });
      delete signed.host;
      try {
        const res = await fetch(url, {
          headers: signed,
          redirect: 'manual',
          signal: AbortSignal.timeout(120_000),
        });
        if ([429, 500, 502, 503, 504].includes(res.status)) {
          cause = `HTTP ${res.status}`;
          await res.arrayBuffer().catch(() => {});
          continue;
        }
        return res;
      } catch (err) {
        cause = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(err);
      }
    }
    throw new StorageError(
      `cannot reach the storage at ${this.origin} after ${S3Storage.ATTEMPTS} attempts (${cause})`,
    );
  }

  async #fail(res, key) {
    const body = await res.text().catch(() => '');
    const code = xmlTag(body, 'Code') ?? `HTTP ${res.status}`;
    if (code === 'NoSuchKey' || (res.status === 404 && code !== 'NoSuchBucket')) throw new NotFoundError(key);
    if (code === 'NoSuchBucket') {
      throw new StorageError(`no bucket "${this.bucket}" at ${this.origin}`, EXIT.NO_REPOSITORY);
    }
    const detail = xmlTag(body, 'Message');
    const hint =
      res.status === 403 || /AccessDenied|Signature|InvalidAccessKeyId|Authorization/.test(code)
        ? ': check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (credential or access denied)'
        : '';
    throw new StorageError(
      `the storage refused to give ${key}: ${code}${detail ? ` (${detail})` : ''}${hint}`,
    );
  }

  async get(key, range) {
    const canonicalUri = `/${uriEncode(this.bucket)}/${this.#objectKey(key).split('/').map(uriEncode).join('/')}`;
    const headers = range ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {};
    const res = await this.#send(canonicalUri, '', headers);
    if (res.status !== 200 && res.status !== 206) return this.#fail(res, key);
    let body = Buffer.from(await res.arrayBuffer());
    if (range && res.status === 200) body = body.subarray(range.offset, range.offset + range.length);
    if (range && body.length !== range.length) {
      throw new DamageError(key, 'it is shorter than the index says (truncated?)');
    }
    return body;
  }

  async *list(prefix) {
    const full = this.#objectKey(prefix);
    let token;
    do {
      const params = [
        ...(token ? [['continuation-token', token]] : []),
        ['list-type', '2'],
        // COFFER_S3_MAX_KEYS: a smaller page, only so that tests exercise continuation tokens
        ...(process.env.COFFER_S3_MAX_KEYS ? [['max-keys', process.env.COFFER_S3_MAX_KEYS]] : []),
        ['prefix', full],
      ];
      const query = params.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');
      const res = await this.#send(`/${uriEncode(this.bucket)}`, query);
      if (res.status !== 200) await this.#fail(res, `${prefix} (listing)`);
      const xml = await res.text();
      for (const [, item] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = xmlTag(item, 'Key');
        if (key === undefined || !key.startsWith(full)) continue;
        yield { key: key.slice(full.length - prefix.length), size: Number(xmlTag(item, 'Size') ?? 0) };
      }
      token = xmlTag(xml, 'IsTruncated') === 'true' ? xmlTag(xml, 'NextContinuationToken') : undefined;
    } while (token);
  }
}

function openStorage(location) {
  return location.kind === 's3' ? new S3Storage(location) : new LocalStorage(location.root);
}

/** Reads a whole object and checks that its SHA-256 is the id in its name (§2, "Object ids"). */
async function getVerified(storage, key) {
  const bytes = await storage.get(key);
  const id = key.slice(key.lastIndexOf('/') + 1);
  if (sha256(bytes).toString('hex') !== id) {
    throw new DamageError(key, 'its SHA-256 does not match its name (flipped bytes or truncated)');
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Cryptography (§3).

/** Opens a box (§3.1): nonce(24) || ciphertext || tag(16). Returns undefined if it does not open. */
function openBox(box, key, associatedData) {
  if (box.length < 40) return undefined;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      box.subarray(24),
      Buffer.from(associatedData, 'ascii'),
      box.subarray(0, 24),
      key,
    );
  } catch {
    return undefined;
  }
}

/** Undoes the payload encoding (§3.3): compression byte 0 (as is) or 1 (one zstd frame). */
function decodePayload(plain, objectKey, maxLength = MAX_PAYLOAD) {
  if (plain.length < 1) throw new DamageError(objectKey, 'empty box payload');
  const body = Buffer.from(plain.buffer, plain.byteOffset + 1, plain.length - 1);
  if (plain[0] === 0) return body;
  if (plain[0] === 1) {
    try {
      return zlib.zstdDecompressSync(body, { maxOutputLength: Math.max(1, maxLength) });
    } catch (err) {
      throw new DamageError(objectKey, `its zstd data does not decompress (${err.message})`);
    }
  }
  throw new DamageError(objectKey, `unknown compression ${plain[0]} (damaged, or made by a newer coffer)`);
}

/** Opens a box and decodes its payload, or throws a DamageError naming the object. */
function openPayload(box, key, associatedData, objectKey, maxLength) {
  const plain = openBox(box, key, associatedData);
  if (!plain) throw new DamageError(objectKey, `it fails authentication (${associatedData})`);
  return decodePayload(plain, objectKey, maxLength);
}

function parseJson(bytes, objectKey) {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new DamageError(objectKey, 'its content is not valid JSON');
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Passwords and the recovery key (§3.4, §4.3).

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Reads what a person typed as a recovery key (§4.3). Returns {normalized} when it is one with
 * matching check characters, {badCheck: true} when it has the shape of one but the check fails,
 * and {} when it does not look like a recovery key at all.
 */
export function parseRecoveryKey(text) {
  const s = text.replace(/[\s-]/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
  if (s.length !== 36 || [...s].some((c) => !CROCKFORD.includes(c))) return {};
  let bits = 0n;
  for (const c of s.slice(0, 32)) bits = (bits << 5n) | BigInt(CROCKFORD.indexOf(c));
  const bytes = Buffer.from(bits.toString(16).padStart(40, '0'), 'hex');
  const check = sha256(bytes).readUInt32BE(0) >>> 12; // the first 20 bits
  let expected = '';
  for (let i = 3; i >= 0; i--) expected += CROCKFORD[(check >>> (5 * i)) & 31];
  return s.slice(32) === expected ? { normalized: s } : { badCheck: true };
}

/** The byte strings to try as the password, best guess first (§3.4: UTF-8 of the NFC form). */
function passwordCandidates(text) {
  const recovery = parseRecoveryKey(text);
  const list = recovery.normalized ? [recovery.normalized, text] : [text];
  return {
    badCheck: Boolean(recovery.badCheck),
    candidates: [...new Set(list)].map((p) => Buffer.from(p.normalize('NFC'), 'utf8')),
  };
}

/** Argon2id as §3.4 defines it, with libsodium. */
function wrappingKey(password, kdf) {
  return sodium.crypto_pwhash(
    32,
    password,
    kdf.salt,
    kdf.passes,
    kdf.memoryKiB * 1024,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
}

/** The password from COFFER_PASSWORD_FILE, COFFER_PASSWORD or a prompt on the terminal. */
async function readPassword(env = process.env) {
  if (env.COFFER_PASSWORD_FILE) {
    let text;
    try {
      text = readFileSync(env.COFFER_PASSWORD_FILE, 'utf8');
    } catch (err) {
      throw new RestoreError(`cannot read COFFER_PASSWORD_FILE: ${err.message}`, EXIT.USAGE);
    }
    return text.replace(/\r?\n$/, '');
  }
  if (env.COFFER_PASSWORD) return env.COFFER_PASSWORD;
  if (!process.stdin.isTTY) {
    throw new RestoreError(
      'no password: set COFFER_PASSWORD_FILE or COFFER_PASSWORD, or run this on a terminal to be asked',
      EXIT.USAGE,
    );
  }
  return promptHidden('Repository password or recovery key: ');
}

/** Asks on the terminal without echoing what is typed. */
function promptHidden(question) {
  return new Promise((resolve, reject) => {
    let muted = false;
    const output = new Writable({
      write(chunk, encoding, done) {
        if (!muted) process.stderr.write(chunk, encoding);
        done();
      },
    });
    const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new RestoreError('interrupted', EXIT.INTERRUPTED));
    });
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

// ---------------------------------------------------------------------------------------------
// Opening the repository: config (§5), key files (§4).

/** Parses and checks a key file (§4.2); throws a DamageError if it is not one we can use. */
function parseKeyFile(bytes, objectKey) {
  const k = parseJson(bytes, objectKey);
  if (!isObject(k) || k.format !== 'coffer-key' || k.version !== 1) {
    throw new DamageError(objectKey, 'not a version-1 coffer key file');
  }
  const kdf = k.kdf;
  if (!isObject(kdf) || kdf.algorithm !== 'argon2id') throw new DamageError(objectKey, 'unknown kdf');
  const salt = Buffer.from(String(kdf.salt), 'base64');
  const ok =
    Number.isInteger(kdf.memoryKiB) &&
    kdf.memoryKiB >= 8 &&
    kdf.memoryKiB <= 4 * 1024 * 1024 - 1 &&
    Number.isInteger(kdf.passes) &&
    kdf.passes >= 1 &&
    kdf.passes <= 1000 &&
    kdf.parallelism === 1 &&
    salt.length === 16 &&
    typeof k.wrapped === 'string' &&
    typeof k.meta === 'string';
  if (!ok) throw new DamageError(objectKey, 'its Argon2id parameters are not usable');
  return {
    kdf: { memoryKiB: kdf.memoryKiB, passes: kdf.passes, salt },
    wrapped: Buffer.from(k.wrapped, 'base64'),
    meta: Buffer.from(k.meta, 'base64'),
  };
}

/** Reads the outer config (§5) without any key; refuses newer versions. */
async function readConfig(storage) {
  let bytes;
  try {
    bytes = await storage.get('config');
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new RestoreError(
        `no coffer repository at ${storage.description} (it has no "config" object): check the location`,
        EXIT.NO_REPOSITORY,
      );
    }
    throw err;
  }
  const config = parseJson(bytes, 'config');
  if (!isObject(config) || config.format !== 'coffer-repository' || !Number.isInteger(config.version)) {
    throw new DamageError('config', 'not a coffer repository config');
  }
  if (config.version > FORMAT_VERSION) {
    throw new RestoreError(
      `this repository uses format version ${config.version}, newer than this restorer understands ` +
        `(${FORMAT_VERSION}): get the coffer-restore.mjs that comes with a newer coffer`,
    );
  }
  if (config.version !== FORMAT_VERSION || typeof config.data !== 'string') {
    throw new DamageError('config', `unknown format version ${config.version}`);
  }
  return { version: config.version, data: Buffer.from(config.data, 'base64') };
}

/**
 * Opens the repository with a password (§4.2 "Opening a repository"): tries every key file,
 * then checks that the master key opens the config and that the key belongs to this repository.
 */
async function openRepository(storage, passwordText) {
  const outer = await readConfig(storage);
  const keyFiles = [];
  for await (const { key } of storage.list('keys/')) {
    const id = key.slice('keys/'.length);
    if (!HEX64.test(id)) continue; // not a key file of this version: ignored (§2)
    try {
      keyFiles.push({ key, id, ...parseKeyFile(await getVerified(storage, key), key) });
    } catch (err) {
      if (!(err instanceof RestoreError)) throw err;
      warn(`${err.message}; skipping this key file`);
    }
  }
  if (keyFiles.length === 0) {
    throw new RestoreError('the repository has no usable key file (keys/ is empty or damaged)');
  }
  const { candidates, badCheck } = passwordCandidates(passwordText);
  let foreign;
  for (const password of candidates) {
    for (const kf of keyFiles) {
      let derived;
      try {
        derived = wrappingKey(password, kf.kdf);
      } catch (err) {
        warn(`cannot derive the key for ${kf.key} (Argon2id, ${kf.kdf.memoryKiB} KiB): ${err.message}`);
        continue;
      }
      const plain = openBox(kf.wrapped, derived, 'coffer/v1/key-wrap');
      if (!plain) continue;
      const master = decodePayload(plain, kf.key);
      if (master.length !== 96) {
        warn(`damaged object ${kf.key}: its master key is ${master.length} bytes, not 96`);
        continue;
      }
      const encKey = Buffer.from(master.subarray(0, 32));
      const idKey = Buffer.from(master.subarray(32, 64));
      const cfgPlain = openBox(outer.data, encKey, 'coffer/v1/config');
      if (!cfgPlain) {
        foreign = `key file ${kf.key} opens with this password but cannot open the config: it belongs to another repository`;
        warn(foreign);
        continue;
      }
      const cfg = parseJson(decodePayload(cfgPlain, 'config'), 'config');
      if (!isObject(cfg) || cfg.version !== outer.version || typeof cfg.id !== 'string') {
        throw new DamageError('config', 'its inner version does not match the outer one');
      }
      const metaPlain = openBox(kf.meta, encKey, 'coffer/v1/key-meta');
      const meta = metaPlain ? parseJson(decodePayload(metaPlain, kf.key), kf.key) : undefined;
      if (!isObject(meta) || meta.repository !== cfg.id) {
        foreign = `key file ${kf.key} does not belong to repository ${cfg.id.slice(0, 8)} (its metadata says otherwise)`;
        warn(foreign);
        continue;
      }
      return { storage, encKey, idKey, config: cfg, keyName: String(meta.name ?? '?'), keyId: kf.id };
    }
  }
  if (foreign) throw new RestoreError(foreign);
  throw new RestoreError(
    badCheck
      ? 'wrong password; it looks like a recovery key but its last four characters (the check) do not ' +
          'match the rest: a typing mistake? Compare it with the sheet letter by letter'
      : 'wrong password: no key in this repository opens with it (a recovery key works too)',
    EXIT.WRONG_PASSWORD,
  );
}

// ---------------------------------------------------------------------------------------------
// Snapshots (§9.1).

async function loadSnapshots(repo) {
  const snapshots = [];
  let damaged = 0;
  for await (const { key } of repo.storage.list('snapshots/')) {
    const id = key.slice('snapshots/'.length);
    if (!HEX64.test(id)) continue;
    try {
      const s = parseJson(
        openPayload(await getVerified(repo.storage, key), repo.encKey, 'coffer/v1/snapshot', key),
        key,
      );
      if (!isObject(s) || typeof s.tree !== 'string' || !HEX64.test(s.tree)) {
        throw new DamageError(key, 'it names no root tree');
      }
      snapshots.push({ ...s, id, timeSeconds: parseTime(s.time) ?? 0 });
    } catch (err) {
      if (!(err instanceof RestoreError)) throw err;
      damaged++;
      warn(`${err.message}; skipping this snapshot`);
    }
  }
  snapshots.sort((a, b) => a.timeSeconds - b.timeSeconds || (a.id < b.id ? -1 : 1));
  return { snapshots, damaged };
}

function selectSnapshot(snapshots, wanted) {
  if (snapshots.length === 0) throw new RestoreError('the repository holds no snapshots');
  if (!wanted || wanted === 'latest') return snapshots[snapshots.length - 1];
  const prefix = wanted.toLowerCase();
  const found = snapshots.filter((s) => s.id.startsWith(prefix));
  if (found.length === 1) return found[0];
  if (found.length === 0)
    throw new RestoreError(`no snapshot has an id starting with "${wanted}" (see --list)`);
  throw new RestoreError(
    `"${wanted}" matches ${found.length} snapshots (${found.map((s) => s.id.slice(0, 12)).join(', ')}): type more of the id`,
    EXIT.USAGE,
  );
}

/** RFC 3339 time with up to nine fractional digits -> seconds since 1970 (a float), or undefined. */
function parseTime(text) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(String(text));
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3].toUpperCase()}`);
  if (Number.isNaN(whole)) return undefined;
  return whole / 1000 + (m[2] ? Number(`0.${m[2]}`) : 0);
}

function formatTime(seconds) {
  return new Date(Math.floor(seconds) * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

function printSnapshotList(snapshots) {
  if (snapshots.length === 0) {
    process.stdout.write('no snapshots: nothing has been backed up to this repository yet\n');
    return;
  }
  const rows = snapshots.map((s) => [
    s.id.slice(0, 8),
    formatTime(s.timeSeconds),
    String(s.host ?? ''),
    Array.isArray(s.tags) ? s.tags.join(',') : '',
    Number.isSafeInteger(s.summary?.totalBytes) ? formatBytes(s.summary.totalBytes) : '?',
    Array.isArray(s.paths) ? s.paths.join(' ') : '',
  ]);
  const header = ['ID', 'TIME', 'HOST', 'TAGS', 'SIZE', 'PATHS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push(`${plural(snapshots.length, 'snapshot')} (oldest first; the last is "latest")`);
  process.stdout.write(`${out.map(clean).join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// Index (§7), pack headers (§6) and blobs.

const BLOB_TYPES = ['data', 'tree'];

class BlobStore {
  constructor(repo) {
    this.repo = repo;
    /** "type/id" -> list of { pack, offset, length, plainLength } */
    this.where = new Map();
  }

  #add(type, id, loc) {
    const k = `${type}/${id}`;
    const list = this.where.get(k);
    if (!list) this.where.set(k, [loc]);
    else if (!list.some((l) => l.pack === loc.pack && l.offset === loc.offset)) list.push(loc);
  }

  /** Loads every index file; entries of superseded index files are kept only as a fallback. */
  async loadIndex() {
    const files = [];
    const superseded = new Set();
    for await (const { key } of this.repo.storage.list('index/')) {
      const id = key.slice('index/'.length);
      if (!HEX64.test(id)) continue;
      try {
        const parsed = parseIndex(
          openPayload(await getVerified(this.repo.storage, key), this.repo.encKey, 'coffer/v1/index', key),
          key,
        );
        parsed.superseded.forEach((s) => superseded.add(s));
        files.push({ id, ...parsed });
      } catch (err) {
        if (!(err instanceof RestoreError)) throw err;
        warn(`${err.message}; the blobs it lists will be looked for in the pack headers`);
      }
    }
    files.sort((a, b) => Number(superseded.has(a.id)) - Number(superseded.has(b.id)));
    for (const f of files) {
      for (const p of f.packs) for (const b of p.blobs) this.#add(b.type, b.id, { pack: p.id, ...b });
    }
    if (files.length === 0) warn('the repository has no readable index file; reading pack headers instead');
  }

  /** Rebuilds the index from the pack headers (§6), once, when a blob cannot be found or read. */
  rebuildFromPacks() {
    this.rebuilding ??= this.#scanPacks();
    return this.rebuilding;
  }

  async #scanPacks() {
    process.stderr.write('reading the header of every pack to find blobs the index does not give...\n');
    for await (const { key, size } of this.repo.storage.list('data/')) {
      const id = key.slice(key.lastIndexOf('/') + 1);
      if (!HEX64.test(id) || key !== `data/${id.slice(0, 2)}/${id}`) continue;
      try {
        for (const b of await readPackHeader(this.repo, key, size))
          this.#add(b.type, b.id, { pack: id, ...b });
      } catch (err) {
        if (!(err instanceof RestoreError || err instanceof NotFoundError)) throw err;
        warn(err.message);
      }
    }
  }

  /** A blob's plaintext, authenticated (§3.2) and checked against its content id (§3.5). */
  async read(type, id) {
    const problems = [];
    const tried = new Set();
    for (let round = 0; round < 2; round++) {
      if (round === 1) await this.rebuildFromPacks();
      for (const loc of this.where.get(`${type}/${id}`) ?? []) {
        const locKey = `${loc.pack}@${loc.offset}`;
        if (tried.has(locKey)) continue;
        tried.add(locKey);
        const packKey = `data/${loc.pack.slice(0, 2)}/${loc.pack}`;
        try {
          const box = await this.repo.storage.get(packKey, { offset: loc.offset, length: loc.length });
          const plain = openBox(box, this.repo.encKey, `coffer/v1/blob/${type}/${id}`);
          if (!plain) throw new DamageError(packKey, `${type} blob ${id} fails authentication`);
          const data = decodePayload(plain, packKey, loc.plainLength);
          if (!timingSafeEqual(hmac(this.repo.idKey, data), Buffer.from(id, 'hex'))) {
            throw new DamageError(packKey, `${type} blob ${id}: its content does not match its id`);
          }
          if (data.length !== loc.plainLength) {
            throw new DamageError(
              packKey,
              `${type} blob ${id} is ${data.length} bytes, not ${loc.plainLength}`,
            );
          }
          return data;
        } catch (err) {
          if (err instanceof NotFoundError) problems.push(`pack ${packKey} is missing`);
          else if (err instanceof DamageError) problems.push(err.message);
          else throw err;
        }
      }
    }
    if (problems.length === 0) problems.push('no index entry or pack header lists it');
    throw new RestoreError(`cannot read ${type} blob ${id}: ${problems.join('; ')}`);
  }

  async readTree(id) {
    if (typeof id !== 'string' || !HEX64.test(id)) throw new RestoreError('a folder names no valid tree id');
    const tree = parseJson(await this.read('tree', id), `tree blob ${id}`);
    if (!isObject(tree) || !Array.isArray(tree.nodes))
      throw new RestoreError(`tree blob ${id} has no node list`);
    return tree.nodes;
  }
}

/** A little-endian reader that turns running off the end into a DamageError. */
function reader(buf, objectKey) {
  let pos = 0;
  const need = (n) => {
    if (pos + n > buf.length) throw new DamageError(objectKey, 'it ends too early');
  };
  return {
    u8: () => (need(1), buf[pos++]),
    u32: () => (need(4), (pos += 4), buf.readUInt32LE(pos - 4)),
    hex32: () => (need(32), (pos += 32), buf.toString('hex', pos - 32, pos)),
    done: () => pos === buf.length,
  };
}

function blobType(code, objectKey) {
  const t = BLOB_TYPES[code];
  if (!t) throw new DamageError(objectKey, `unknown blob type ${code}`);
  return t;
}

/** Index file payload (§7). */
function parseIndex(payload, objectKey) {
  const r = reader(payload, objectKey);
  const version = r.u8();
  if (version !== 1) throw new DamageError(objectKey, `unknown index version ${version}`);
  const superseded = [];
  for (let n = r.u32(); n > 0; n--) superseded.push(r.hex32());
  const packs = [];
  for (let p = r.u32(); p > 0; p--) {
    const id = r.hex32();
    const blobs = [];
    for (let b = r.u32(); b > 0; b--) {
      const type = blobType(r.u8(), objectKey);
      blobs.push({ type, id: r.hex32(), offset: r.u32(), length: r.u32(), plainLength: r.u32() });
    }
    packs.push({ id, blobs });
  }
  if (!r.done()) throw new DamageError(objectKey, 'it has bytes after its last entry');
  return { superseded, packs };
}

/** A pack's header (§6): its blobs with their offsets, from the header box at the end. */
async function readPackHeader(repo, packKey, size) {
  if (size < 44) throw new DamageError(packKey, 'too short to be a pack');
  const headerLength = (await repo.storage.get(packKey, { offset: size - 4, length: 4 })).readUInt32LE(0);
  if (headerLength < 40 || headerLength > size - 4) throw new DamageError(packKey, 'bad header length');
  const headerBox = await repo.storage.get(packKey, {
    offset: size - 4 - headerLength,
    length: headerLength,
  });
  const payload = openPayload(headerBox, repo.encKey, 'coffer/v1/pack-header', packKey);
  if (payload.length % 41 !== 0)
    throw new DamageError(packKey, 'its header is not a whole number of entries');
  const blobs = [];
  let offset = 0;
  for (let i = 0; i < payload.length; i += 41) {
    const type = blobType(payload[i], packKey);
    const length = payload.readUInt32LE(i + 1);
    blobs.push({
      type,
      offset,
      length,
      plainLength: payload.readUInt32LE(i + 5),
      id: payload.toString('hex', i + 9, i + 41),
    });
    offset += length;
  }
  if (offset !== size - 4 - headerLength) throw new DamageError(packKey, 'its header does not add up');
  return blobs;
}

// ---------------------------------------------------------------------------------------------
// Trees (§9.2) and writing files.

const SLASH = Buffer.from('/');

/**
 * Why a tree entry name must be refused, or undefined when it is a safe single path component
 * (§9.2: not empty, not `.` or `..`, no `/` and no NUL; on Windows also no `\` or `:`).
 */
export function checkName(name) {
  const b = Buffer.isBuffer(name) ? name : Buffer.from(String(name), 'utf8');
  if (b.length === 0) return 'an empty name';
  if (b.equals(Buffer.from('.')) || b.equals(Buffer.from('..'))) return `the name "${b}"`;
  if (b.includes(0x2f)) return 'a name containing "/"';
  if (b.includes(0)) return 'a name containing a NUL byte';
  if (process.platform === 'win32' && (b.includes(0x5c) || b.includes(0x3a))) {
    return 'a name containing "\\" or ":" (not allowed on Windows)';
  }
  return undefined;
}

/** A node's name (or symlink target) as raw bytes: `name` when UTF-8, else base64 `nameBytes`. */
function nodeBytes(node, field) {
  if (typeof node[field] === 'string') return Buffer.from(node[field], 'utf8');
  if (typeof node[`${field}Bytes`] === 'string') return Buffer.from(node[`${field}Bytes`], 'base64');
  return undefined;
}

/** For messages: a path as text, with control characters made visible. */
function clean(text, keepNewlines = false) {
  const control = keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f]/g : /[\u0000-\u001f\u007f]/g; // eslint-disable-line no-control-regex
  return String(text).replace(control, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
const show = (bytes) => clean(bytes.length ? bytes.toString('utf8') : '/');

/** Runs fn over items, at most `limit` at a time. */
async function eachLimit(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const O_NOFOLLOW = FS.O_NOFOLLOW ?? 0;
const O_DIRECTORY = FS.O_DIRECTORY ?? 0;
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const FILES_AT_ONCE = 4;
const BLOBS_AHEAD = 4;

class Restorer {
  constructor(blobs, target, { force = false } = {}) {
    this.blobs = blobs;
    this.target = Buffer.from(target);
    this.force = force;
    this.stats = { files: 0, bytes: 0, dirs: 0, symlinks: 0 };
    this.failures = [];
    this.checksums = [];
  }

  #dest(snapPath) {
    return Buffer.concat([this.target, snapPath]);
  }

  #fail(snapPath, err) {
    const message = err instanceof Error ? err.message : String(err);
    this.failures.push({ path: show(snapPath), message });
    process.stderr.write(`FAILED ${show(snapPath)}: ${clean(message)}\n`);
  }

  /** Restores the whole snapshot, or the folder or file at `subPath` (an absolute snapshot path). */
  async restore(rootTreeId, subPath) {
    const parts = (subPath ?? '/').split('/').filter(Boolean);
    if (parts.some((p) => p === '.' || p === '..'))
      throw new RestoreError('--path must not contain . or ..', EXIT.USAGE);
    if (parts.length === 0) return this.#restoreTree(rootTreeId, Buffer.alloc(0));
    let nodes = await this.blobs.readTree(rootTreeId);
    let snapPath = Buffer.alloc(0);
    const ancestors = [];
    for (const [i, part] of parts.entries()) {
      const want = Buffer.from(part, 'utf8');
      const node = nodes.find((n) => isObject(n) && nodeBytes(n, 'name')?.equals(want));
      snapPath = Buffer.concat([snapPath, SLASH, want]);
      if (!node) throw new RestoreError(`${show(snapPath)} is not in this snapshot`);
      if (i === parts.length - 1) {
        await this.#restoreNode(node, snapPath);
        break;
      }
      if (node.type !== 'dir') throw new RestoreError(`${show(snapPath)} is not a folder in this snapshot`);
      await this.#makeDir(snapPath);
      ancestors.push({ node, snapPath });
      nodes = await this.blobs.readTree(String(node.subtree));
    }
    for (const a of ancestors.reverse()) await this.#dirMetadata(a.node, a.snapPath);
  }

  async #restoreTree(treeId, dirPath) {
    let nodes;
    try {
      nodes = await this.blobs.readTree(String(treeId));
    } catch (err) {
      if (!(err instanceof RestoreError)) throw err;
      this.#fail(dirPath, new Error(`the folder's listing cannot be read: ${err.message}`));
      return;
    }
    const seen = new Set();
    const files = [];
    const others = [];
    for (const node of nodes) {
      const name = isObject(node) ? nodeBytes(node, 'name') : undefined;
      const why = name === undefined ? 'an entry without a name' : checkName(name);
      const snapPath = Buffer.concat([dirPath, SLASH, name ?? Buffer.alloc(0)]);
      if (why) {
        this.#fail(dirPath, new Error(`refused ${why} in this folder (the snapshot is damaged or forged)`));
        continue;
      }
      if (seen.has(name.toString('hex'))) {
        this.#fail(snapPath, new Error('the folder lists this name twice; only the first is restored'));
        continue;
      }
      seen.add(name.toString('hex'));
      (node.type === 'file' ? files : others).push({ node, snapPath });
    }
    await eachLimit(files, FILES_AT_ONCE, ({ node, snapPath }) => this.#restoreNode(node, snapPath));
    for (const { node, snapPath } of others) await this.#restoreNode(node, snapPath);
  }

  async #restoreNode(node, snapPath) {
    try {
      if (node.type === 'file') await this.#restoreFile(node, snapPath);
      else if (node.type === 'dir') {
        await this.#makeDir(snapPath);
        await this.#restoreTree(node.subtree, snapPath);
        await this.#dirMetadata(node, snapPath);
      } else if (node.type === 'symlink') await this.#restoreSymlink(node, snapPath);
      else throw new Error(`unknown entry type ${JSON.stringify(node.type)}`);
    } catch (err) {
      if (err instanceof StorageError) throw err; // the storage is gone: stop, do not fail file by file
      this.#fail(snapPath, err);
    }
  }

  /** With --force, clears what stands where a new entry goes; a folder is kept only for a folder. */
  async #clear(dest, forDir) {
    if (!this.force) return false;
    let st;
    try {
      st = await fsp.lstat(dest);
    } catch (err) {
      if (err.code === 'ENOENT') return false;
      throw err;
    }
    if (st.isDirectory()) {
      if (forDir) return true;
      throw new Error('a folder of that name is already in the target');
    }
    await fsp.unlink(dest); // removes a symlink itself, never what it points to
    return false;
  }

  async #makeDir(snapPath) {
    const dest = this.#dest(snapPath);
    if (await this.#clear(dest, true)) return;
    try {
      await fsp.mkdir(dest, { mode: 0o700 });
    } catch (err) {
      if (err.code === 'EEXIST')
        throw new Error('something of that name is already in the target', { cause: err });
      throw err;
    }
    this.stats.dirs++;
  }

  /** Owner (only as root), mode and times of a folder, set once everything in it is written. */
  async #dirMetadata(node, snapPath) {
    const dest = this.#dest(snapPath);
    const { mode, mtime } = nodeMetadata(node, 0o755);
    if (process.platform === 'win32') {
      await fsp.utimes(dest, mtime, mtime);
      return;
    }
    const fh = await fsp.open(dest, FS.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      if (IS_ROOT && Number.isInteger(node.uid) && Number.isInteger(node.gid))
        await fh.chown(node.uid, node.gid);
      await fh.chmod(mode);
      await fh.utimes(mtime, mtime);
    } finally {
      await fh.close();
    }
  }

  async #restoreSymlink(node, snapPath) {
    const target = nodeBytes(node, 'target');
    if (target === undefined || target.length === 0 || target.includes(0)) {
      throw new Error('the symlink has no usable target');
    }
    const dest = this.#dest(snapPath);
    await this.#clear(dest, false);
    await fsp.symlink(target, dest);
    if (IS_ROOT && Number.isInteger(node.uid) && Number.isInteger(node.gid)) {
      await fsp.lchown(dest, node.uid, node.gid);
    }
    const { mtime } = nodeMetadata(node, 0o777);
    await fsp.lutimes(dest, mtime, mtime);
    this.stats.symlinks++;
  }

  async #restoreFile(node, snapPath) {
    const content = node.content ?? [];
    if (
      !Number.isSafeInteger(node.size) ||
      typeof node.sha256 !== 'string' ||
      !HEX64.test(node.sha256) ||
      !Array.isArray(content) ||
      content.some((id) => typeof id !== 'string' || !HEX64.test(id))
    ) {
      throw new Error('the snapshot records no usable size, sha256 or content for this file');
    }
    const dest = this.#dest(snapPath);
    await this.#clear(dest, false);
    // O_EXCL: never write through anything already there (a symlink planted in the target included).
    const fh = await fsp.open(dest, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | O_NOFOLLOW, 0o600);
    const hash = createHash('sha256');
    let written = 0;
    let complete = false;
    try {
      const ahead = [];
      const fetchBlob = (i) => {
        const p = this.blobs.read('data', content[i]);
        p.catch(() => {}); // awaited below, in order; this only keeps an early failure from being "unhandled"
        return p;
      };
      for (let i = 0; i < content.length; i++) {
        while (ahead.length < BLOBS_AHEAD && i + ahead.length < content.length)
          ahead.push(fetchBlob(i + ahead.length));
        const data = await ahead.shift();
        hash.update(data);
        for (let off = 0; off < data.length;) {
          const { bytesWritten } = await fh.write(data, off, data.length - off);
          off += bytesWritten;
        }
        written += data.length;
        this.progress(data.length);
      }
      complete = true;
      const digest = hash.digest('hex');
      if (written !== node.size || digest !== node.sha256) {
        throw new Error(
          `restored content (${written} bytes, SHA-256 ${digest}) differs from the snapshot's ` +
            `(${node.size} bytes, ${node.sha256}); the file is kept but do not trust it`,
        );
      }
      if (IS_ROOT && Number.isInteger(node.uid) && Number.isInteger(node.gid))
        await fh.chown(node.uid, node.gid);
      const { mode, mtime } = nodeMetadata(node, 0o644);
      await fh.chmod(mode);
      await fh.utimes(mtime, mtime);
    } catch (err) {
      await fh.close();
      if (!complete) await fsp.unlink(dest).catch(() => {}); // an incomplete file would look restored
      throw err;
    }
    await fh.close();
    this.stats.files++;
    this.stats.bytes += written;
    this.checksums.push({ sha256: node.sha256, snapPath });
  }

  progress(bytes) {
    this.done = (this.done ?? 0) + bytes;
    if (!process.stderr.isTTY) return;
    const now = Date.now();
    if (now - (this.lastProgress ?? 0) < 1000) return;
    this.lastProgress = now;
    process.stderr.write(`\r  ${this.stats.files} files, ${formatBytes(this.done)} so far...   `);
  }
}

/** Mode and modification time of a node, with a warning when the snapshot's values are unusable. */
function nodeMetadata(node, defaultMode) {
  let mode = node.mode;
  if (!Number.isInteger(mode)) {
    warn(`no mode recorded for an entry; using ${defaultMode.toString(8)}`);
    mode = defaultMode;
  }
  let mtime = parseTime(node.mtime);
  if (mtime === undefined) {
    warn(`unreadable modification time ${JSON.stringify(node.mtime)}; using now`);
    mtime = Date.now() / 1000;
  }
  return { mode: mode & 0o7777, mtime };
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : word === word.toUpperCase() ? 'S' : 's'}`;

function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** "sha256sum -c" lines, paths relative to the target, escaped as GNU coreutils does. */
function checksumLines(entries) {
  const lines = entries.map(({ sha256: hex, snapPath }) => {
    const rel = Buffer.concat([Buffer.from('.'), snapPath]);
    const needsEscape = rel.includes(0x5c) || rel.includes(0x0a) || rel.includes(0x0d);
    if (!needsEscape) return Buffer.concat([Buffer.from(`${hex}  `), rel, Buffer.from('\n')]);
    const escaped = Buffer.from(
      rel.toString('latin1').replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'),
      'latin1',
    );
    return Buffer.concat([Buffer.from(`\\${hex}  `), escaped, Buffer.from('\n')]);
  });
  return Buffer.concat(lines);
}

// ---------------------------------------------------------------------------------------------
// The program.

/** Makes sure the target is a new or empty folder (or --force); returns its absolute path. */
async function prepareTarget(target, force) {
  const abs = path.resolve(target);
  try {
    const st = await fsp.stat(abs);
    if (!st.isDirectory()) throw new RestoreError(`the target ${abs} exists and is not a folder`, EXIT.USAGE);
    if (!force && (await fsp.readdir(abs)).length > 0) {
      throw new RestoreError(
        `the target ${abs} is not empty: choose a new or empty folder (or add --force to restore over it)`,
        EXIT.USAGE,
      );
    }
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    await fsp.mkdir(abs, { recursive: true, mode: 0o700 });
  }
  return abs;
}

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        repo: { type: 'string', short: 'r' },
        snapshot: { type: 'string' },
        path: { type: 'string' },
        target: { type: 'string' },
        list: { type: 'boolean' },
        force: { type: 'boolean' },
        sha256sums: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new RestoreError(`${err.message}\n\n${USAGE}`, EXIT.USAGE);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (typeof zlib.zstdDecompressSync !== 'function') {
    throw new RestoreError(
      `this Node.js (${process.version}) cannot read zstd: install Node.js 24 or later from nodejs.org`,
      EXIT.USAGE,
    );
  }
  const location = parseLocation(values.repo ?? process.env.COFFER_REPOSITORY);
  if (!values.list && !values.target)
    throw new RestoreError(`--target DIR is needed\n\n${USAGE}`, EXIT.USAGE);
  if (values.path !== undefined && !values.path.startsWith('/')) {
    throw new RestoreError(
      '--path must be an absolute path inside the snapshot, like /srv/council/docs',
      EXIT.USAGE,
    );
  }
  const storage = openStorage(location);
  await readConfig(storage); // "no repository" and "too new" before asking for a password
  const target = values.list ? undefined : await prepareTarget(values.target, values.force);

  await sodium.ready;
  const password = await readPassword();
  const started = Date.now();
  const repo = await openRepository(storage, password);
  process.stderr.write(
    `opened repository ${repo.config.id.slice(0, 8)} at ${storage.description} with key "${clean(repo.keyName)}"\n`,
  );
  const { snapshots, damaged } = await loadSnapshots(repo);
  if (values.list) {
    printSnapshotList(snapshots);
    return damaged > 0 ? EXIT.FAILURE : EXIT.OK;
  }
  const snapshot = selectSnapshot(snapshots, values.snapshot);
  const blobs = new BlobStore(repo);
  await blobs.loadIndex();
  process.stderr.write(
    `restoring snapshot ${snapshot.id.slice(0, 8)} of ${formatTime(snapshot.timeSeconds)} ` +
      `(host ${clean(snapshot.host ?? '?')}) ${values.path ? `path ${values.path} ` : ''}into ${target}\n`,
  );
  const restorer = new Restorer(blobs, target, { force: values.force });
  await restorer.restore(snapshot.tree, values.path);
  if (process.stderr.isTTY && restorer.done) process.stderr.write('\n');
  if (values.sha256sums) {
    await fsp.writeFile(values.sha256sums, checksumLines(restorer.checksums), { flag: 'wx' });
  }

  const { files, bytes, dirs, symlinks } = restorer.stats;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const out = [
    `Restored ${plural(files, 'file')} (${formatBytes(bytes)}), ${plural(dirs, 'folder')} and ` +
      `${plural(symlinks, 'symlink')} into ${target} in ${seconds} s.`,
  ];
  if (restorer.failures.length === 0) {
    out.push(`All ${plural(files, 'file')} verified: each SHA-256 matches the one recorded in the snapshot.`);
  } else {
    out.push(`${plural(restorer.failures.length, 'FAILURE')} (not restored, or not restored correctly):`);
    for (const f of restorer.failures) out.push(`  ${f.path}: ${f.message}`);
  }
  process.stdout.write(`${out.map(clean).join('\n')}\n`);
  return restorer.failures.length === 0 ? EXIT.OK : EXIT.FAILURE;
}

const isMain = (() => {
  try {
    return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
})();

if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof RestoreError) {
        process.stderr.write(`coffer-restore: ${clean(err.message, true)}\n`);
        process.exit(err.exitCode);
      }
      process.stderr.write(`coffer-restore: unexpected error: ${err?.stack ?? err}\n`);
      process.exit(EXIT.FAILURE);
    },
  );
}
