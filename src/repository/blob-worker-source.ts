// The source of the blob worker threads (see blob-workers.ts): naming chunks, sealing blobs, opening and
// verifying them, and writing restored files, off the main thread. Plain CommonJS over node built-ins,
// evaluated by `new Worker(src, { eval: true })`, so it runs the same from the TypeScript sources under test
// and from dist/.
//
// It must compute exactly what the rest of the repository layer defines, and the tests hold it to that:
// content ids are HMAC-SHA-256 under the content-id key (src/crypto/content-id.ts); a blob's box is
// XChaCha20-Poly1305 (src/crypto/aead.ts) over a one-byte compression prefix and the body
// (src/repository/compression.ts), with associated data `coffer/v1/blob/<type>/<id>` (format.ts).
//
// Memory: buffers travel. The caller transfers an ArrayBuffer in, the worker works in place and transfers the
// same memory back, so a backup or restore reuses a few buffers instead of allocating one per blob. zstd
// runs on one long-lived context per direction writing into buffers the worker owns (see ZSTD_SOURCE), so
// it allocates nothing per blob. The cipher's output, which node allocates afresh every time, is freed as
// soon as it is used (see free()). What is left is short-lived garbage that V8 would let pile up to ~64 MiB
// before collecting it; the worker runs a young-generation collection (~1 ms) every COLLECT_EVERY bytes
// of it instead, which keeps it to a few MiB.

import { hchacha20 } from '../crypto/hchacha20.js';

/**
 * HChaCha20, from the one implementation (src/crypto/hchacha20.ts, written to run from its source text).
 * Deriving it from node's ChaCha20 keystream instead cost ~20 µs a blob, most of it node turning the raw
 * key into a KeyObject.
 */
export const HCHACHA20_SOURCE = `const hchacha20 = ${hchacha20.toString()};`;

/**
 * zstd on one long-lived context per direction, through the native handle that node's own zlibBufferSync
 * drives (`_handle.writeSync`, `_writeState`): unlike zstdCompressSync it writes into a buffer the caller
 * owns and keeps its context (megabytes) from blob to blob. Those are node internals, so they are checked
 * by a round trip through the public API when the worker starts, and the public API is used instead if
 * they are missing or wrong. Both return the number of bytes written into `out`, or -1 when the result
 * does not fit with a byte to spare (compress: then it is not worth keeping; decompress: the caller
 * falls back to the public API).
 */
export const ZSTD_SOURCE = `
function publicZstd(params) {
  return {
    kind: 'public',
    compress(input, out) {
      const packed = zlib.zstdCompressSync(input, { params, chunkSize: zstdBound(input.length) });
      const n = packed.length > out.length ? -1 : packed.copy(out);
      free(packed);
      return n;
    },
    decompress(input, out) {
      const plain = zlib.zstdDecompressSync(input, { chunkSize: Math.max(64 * 1024, out.length + 64) });
      const n = plain.length > out.length ? -1 : plain.copy(out);
      free(plain);
      return n;
    },
  };
}

function directZstd(params) {
  const open = (Engine) => {
    const engine = new Engine(Engine === zlib.ZstdCompress ? { params } : {});
    engine.on('error', () => undefined); // failures are read from engine.destroyed below
    if (typeof engine._handle?.writeSync !== 'function' || !(engine._writeState instanceof Uint32Array))
      throw new Error('no direct zstd');
    return engine;
  };
  const engines = { c: open(zlib.ZstdCompress), d: open(zlib.ZstdDecompress) };
  const run = (which, Engine, input, out) => {
    const engine = engines[which];
    engine._handle.writeSync(zlib.constants.ZSTD_e_end, input, 0, input.length, out, 0, out.length);
    const [availOut, availIn] = engine._writeState;
    if (engine.destroyed) {
      engines[which] = open(Engine);
      throw new Error('zstd failed');
    }
    if (availOut === 0 || availIn !== 0) {
      engine._handle.reset();
      return -1;
    }
    return out.length - availOut;
  };
  return {
    kind: 'direct',
    compress: (input, out) => run('c', zlib.ZstdCompress, input, out),
    decompress(input, out) {
      // A damaged frame may leave the context mid-frame: every blob starts from a clean one.
      engines.d._handle.reset();
      return run('d', zlib.ZstdDecompress, input, out);
    },
  };
}

function makeZstd(level) {
  const params = { [zlib.constants.ZSTD_c_compressionLevel]: level };
  const fallback = publicZstd(params);
  try {
    const direct = directZstd(params);
    const sample = Buffer.from('coffer zstd self-test '.repeat(5000) + crypto.randomBytes(3000).toString('hex'));
    const frame = Buffer.alloc(sample.length);
    const n = direct.compress(sample, frame);
    const back = Buffer.alloc(sample.length + 1); // room to spare: an exactly full buffer reads as too small
    const publicFrame = zlib.zstdCompressSync(sample, { params });
    if (n > 0 && zlib.zstdDecompressSync(frame.subarray(0, n)).equals(sample) &&
        direct.decompress(publicFrame, back) === sample.length && back.subarray(0, -1).equals(sample)) return direct;
  } catch {
    // fall through to the public API
  }
  return fallback;
}
`;

export const BLOB_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const fs = require('node:fs');

const NONCE = 24;
const TAG = 16;
const RAW = 0;
const ZSTD = 1;
const COLLECT_EVERY = 8 * 1024 * 1024;

const contentKey = crypto.createSecretKey(Buffer.from(workerData.contentId));
const encryptionKey = Buffer.from(workerData.encryption);

// See the comment at the top of blob-worker-source.ts. Without it the worker works the same, with more memory.
let collect;
try {
  require('node:v8').setFlagsFromString('--expose-gc');
  collect = require('node:vm').runInNewContext('gc');
} catch {
  collect = undefined;
}
let garbage = 0;
function allocated(bytes) {
  garbage += bytes;
}
/**
 * Gives memory back at once, so the next blob's allocation reuses it: a buffer the garbage collector frees
 * later was, on a full restore, a quarter of a million page faults (the kernel zeroing fresh pages for every
 * blob), more system time than restic's whole run. Detaching an ArrayBuffer frees its memory; views of it
 * read as empty afterwards, so callers free only what nothing refers to. Buffers that are views into a
 * larger one (Buffer's shared pool) are left to the collector.
 */
function free(bytes) {
  const ab = bytes instanceof ArrayBuffer ? bytes : bytes.buffer;
  const whole = bytes instanceof ArrayBuffer || (bytes.byteOffset === 0 && bytes.byteLength === ab.byteLength);
  if (whole && typeof ab.transfer === 'function' && !ab.detached) ab.transfer(0);
  else allocated(ab.byteLength);
}

/** Called after each message, when nothing of it is still referenced. */
function collectGarbage() {
  if (collect && garbage >= COLLECT_EVERY) {
    garbage = 0;
    collect({ type: 'minor' });
  }
}

/** ZSTD_compressBound: room for the whole frame in one output buffer. */
function zstdBound(n) {
  return n + (n >>> 8) + (n < 128 << 10 ? ((128 << 10) - n) >>> 11 : 0) + 64;
}

${HCHACHA20_SOURCE}
${ZSTD_SOURCE}

const zstd = typeof zlib.zstdCompressSync === 'function' ? makeZstd(workerData.level) : undefined;
/** Where compress writes its frame before it is sealed; grown to the largest chunk seen. */
let frameBuffer = Buffer.alloc(0);

function cipherFor(decrypt, nonce, type, id, plaintextLength) {
  // As a KeyObject: node checks a raw key by throwing and catching inside, ~12 µs a call.
  const subkey = crypto.createSecretKey(hchacha20(encryptionKey, nonce.subarray(0, 16)));
  const ietf = Buffer.alloc(12);
  nonce.copy(ietf, 4, 16, 24);
  const make = decrypt ? crypto.createDecipheriv : crypto.createCipheriv;
  const c = make('chacha20-poly1305', subkey, ietf, { authTagLength: TAG });
  c.setAAD(Buffer.from('coffer/v1/blob/' + type + '/' + id, 'latin1'), { plaintextLength });
  return c;
}

function contentIdOf(bytes) {
  return crypto.createHmac('sha256', contentKey).update(bytes).digest('hex');
}

/** Bytes of each sample looksCompressible tries; chunks up to four times as big are simply compressed. */
const SAMPLE = 16 * 1024;

/**
 * Whether a chunk is worth a full zstd pass, judged by compressing two samples of it (its start and its
 * middle): scans, photos, office files and archives are compressed already, and zstd, though quick to give
 * up on them, still spent a tenth of a first backup's worker time finding that out chunk by chunk. A chunk
 * is tried whole when either sample shrinks by a twentieth, so mixed content (a PDF with text streams
 * after its images) still gets compressed.
 */
function looksCompressible(plain) {
  if (plain.length < 4 * SAMPLE) return true;
  if (sampleBuffer.length < SAMPLE) sampleBuffer = Buffer.allocUnsafe(SAMPLE);
  const target = Math.floor(SAMPLE * 0.95);
  for (const at of [0, (plain.length >>> 1) - (SAMPLE >>> 1)]) {
    const n = zstd.compress(plain.subarray(at, at + SAMPLE), sampleBuffer.subarray(0, target));
    if (n > 0) return true;
  }
  return false;
}
let sampleBuffer = Buffer.alloc(0);

/** Seals buf[0, length) into a box written over it; returns the box's length (at most length + 41). */
function seal(buf, length, type, id, compress) {
  const plain = Buffer.from(buf, 0, length);
  let prefix = RAW;
  let body = plain;
  if (compress && zstd && length >= workerData.minCompress && looksCompressible(plain)) {
    if (frameBuffer.length < length) frameBuffer = Buffer.allocUnsafe(length);
    // Room for one byte less than the chunk: a frame that is not smaller is not kept.
    const n = zstd.compress(plain, frameBuffer.subarray(0, length - 1));
    if (n > 0) {
      prefix = ZSTD;
      body = frameBuffer.subarray(0, n);
    }
  }
  const nonce = crypto.randomBytes(NONCE);
  const cipher = cipherFor(false, nonce, type, id, 1 + body.length);
  const head = cipher.update(Buffer.of(prefix));
  const sealed = cipher.update(body);
  cipher.final();
  // The plaintext has been read whole by now, so the box may overwrite it.
  const out = Buffer.from(buf);
  nonce.copy(out, 0);
  head.copy(out, NONCE);
  sealed.copy(out, NONCE + 1);
  cipher.getAuthTag().copy(out, NONCE + 1 + sealed.length);
  const boxLength = NONCE + 1 + sealed.length + TAG;
  free(sealed);
  return boxLength;
}

/**
 * Opens a blob box and checks its content id (unless \`checkId\` is false): { body, plaintext } where body is
 * the blob's bytes, in \`out\` (decompressed there) or a view of \`plaintext\`, the decrypted box, which
 * the caller frees once done with body; a failure is { damage, detail }.
 */
function openBody(box, type, id, out, checkId) {
  if (box.length < NONCE + TAG) return { damage: 'auth' };
  const nonce = box.subarray(0, NONCE);
  const decipher = cipherFor(true, nonce, type, id, box.length - NONCE - TAG);
  decipher.setAuthTag(box.subarray(box.length - TAG));
  const plaintext = decipher.update(box.subarray(NONCE, box.length - TAG));
  const failed = (damage, detail) => {
    free(plaintext);
    return { damage, detail };
  };
  try {
    decipher.final();
  } catch {
    return failed('auth');
  }
  if (plaintext.length === 0) return failed('empty');
  let body;
  if (plaintext[0] === RAW) body = plaintext.subarray(1);
  else if (plaintext[0] !== ZSTD) return failed('compression', plaintext[0]);
  else if (!zstd) return failed('no-zstd');
  else {
    try {
      const n = zstd.decompress(plaintext.subarray(1), out);
      if (n >= 0) body = out.subarray(0, n);
      else {
        body = zlib.zstdDecompressSync(plaintext.subarray(1));
        allocated(body.buffer.byteLength);
      }
    } catch {
      return failed('decompress');
    }
  }
  if (checkId && contentIdOf(body) !== id) return failed('id');
  return { body, plaintext };
}

/**
 * Opens a blob box as openBody does. The plaintext goes into \`out\` when it fits (then { length }), else
 * into a buffer of its own ({ body }); a failure is { damage, detail }.
 */
function openBox(box, type, id, out, checkId = true) {
  const r = openBody(box, type, id, out, checkId);
  if (r.damage) return r;
  const { body, plaintext } = r;
  if (body.buffer === out.buffer && body.byteOffset === out.byteOffset) {
    free(plaintext);
    return { length: body.length };
  }
  if (body.length <= out.length) {
    const length = body.copy(out, 0);
    free(plaintext); // body may be a view of it, which then reads as empty
    return { length };
  }
  if (body.buffer !== plaintext.buffer) free(plaintext);
  else allocated(plaintext.length);
  return { body };
}

/** Where verifyPack opens blobs it only checks. */
let scratch = Buffer.alloc(0);

/** SHA-256 states of the files whose chunks this worker names, by the caller's file number. */
const files = new Map();

/**
 * Files this worker restores, by the caller's file number: the SHA-256 and byte count of what was handed to
 * the kernel, and whether a blob failed (the file's later blobs are then not written: it is removed).
 */
const writing = new Map();
/** Where writeBlob opens blobs before writing them; grown to the largest seen. */
let plainBuffer = Buffer.alloc(0);

/** Pack files this worker reads boxes from itself (readWriteBlob), by path: their descriptors, oldest first. */
const packFiles = new Map();
const PACK_FILES_OPEN = 16;
/** Where readWriteBlob reads a box; grown to the largest seen. */
let boxBuffer = Buffer.alloc(0);

function packFd(path) {
  let fd = packFiles.get(path);
  if (fd !== undefined) {
    packFiles.delete(path); // most recently used goes last
  } else {
    fd = fs.openSync(path, 'r');
    for (const [old, oldFd] of packFiles) {
      if (packFiles.size < PACK_FILES_OPEN) break;
      packFiles.delete(old);
      fs.closeSync(oldFd);
    }
  }
  packFiles.set(path, fd);
  return fd;
}

/** box bytes [offset, offset + length) of the pack file at path, or undefined when it is shorter. */
function readBox(path, offset, length) {
  if (boxBuffer.length < length) boxBuffer = Buffer.allocUnsafe(length);
  const fd = packFd(path);
  for (let at = 0; at < length; ) {
    const n = fs.readSync(fd, boxBuffer, at, length - at, offset + at);
    if (n === 0) return undefined;
    at += n;
  }
  return boxBuffer.subarray(0, length);
}

/** The parts of a file-system error the caller rebuilds it from (an Error does not survive postMessage). */
function fsErrorOf(err) {
  return { code: err && err.code, syscall: err && err.syscall, message: String((err && err.message) || err) };
}

/**
 * Opens the data blob box() gives and writes it at m.fd's position, as the next part of file m.file: a
 * restore's reading, hashing and writing of a blob in one trip, with the write made here (the main
 * thread's writes each went through libuv's pool, a trip there and back per blob). The caller sends a
 * file's blobs in order to this one worker and keeps the descriptor open until every reply is in.
 */
function writeBox(m, box) {
  let file = writing.get(m.file);
  if (!file) writing.set(m.file, (file = { hash: crypto.createHash('sha256'), written: 0, failed: false }));
  if (file.failed) return { skipped: true };
  const t0 = performance.now();
  let bytes;
  try {
    bytes = box();
  } catch (err) {
    file.failed = true;
    return { unread: fsErrorOf(err) };
  }
  if (!bytes) {
    file.failed = true;
    return { unread: { message: 'the pack is shorter than its index says' } };
  }
  if (plainBuffer.length < m.rawLength + 1) plainBuffer = Buffer.allocUnsafe(m.rawLength + 1);
  const r = openBody(bytes, 'data', m.id, plainBuffer, false);
  if (r.damage) {
    file.failed = true;
    return { damage: r.damage, detail: r.detail };
  }
  const { body, plaintext } = r;
  const length = body.length; // body may be a view of plaintext, which reads as empty once freed
  const t1 = performance.now();
  file.hash.update(body);
  const t2 = performance.now();
  let at = 0;
  try {
    while (at < body.length) {
      const n = fs.writeSync(m.fd, body, at, body.length - at);
      if (n === 0) break;
      at += n;
    }
  } catch (err) {
    file.failed = true;
    return { fsError: fsErrorOf(err) };
  } finally {
    free(plaintext);
  }
  file.written += at;
  return { length, openMs: t1 - t0, hashMs: t2 - t1, writeMs: performance.now() - t2 };
}

const ops = {
  name(m) {
    const bytes = Buffer.from(m.buf, 0, m.length);
    if (m.file !== undefined) {
      let hash = files.get(m.file);
      if (!hash) files.set(m.file, (hash = crypto.createHash('sha256')));
      hash.update(bytes);
    }
    return { id: contentIdOf(bytes), buf: m.buf };
  },
  nameSeal(m) {
    const named = ops.name(m);
    return { id: named.id, length: seal(m.buf, m.length, 'data', named.id, m.compress), buf: m.buf };
  },
  fileDigest(m) {
    const hash = files.get(m.file) ?? crypto.createHash('sha256');
    files.delete(m.file);
    return { sha256: m.drop ? '' : hash.digest('hex') };
  },
  seal(m) {
    return { length: seal(m.buf, m.length, m.type, m.id, m.compress), buf: m.buf };
  },
  /** writeBox for a box the caller sends (m.box, given away). */
  writeBlob(m) {
    // The box goes back when the caller reuses its memory (m.giveBack), else it is freed here.
    const reply = writeBox(m, () => Buffer.from(m.box, m.boxOffset, m.length));
    if (m.giveBack) reply.buf = m.box;
    else free(m.box);
    return reply;
  },
  /**
   * writeBlob for a box this worker reads itself, from the local pack file m.path: no trip to the main
   * thread and its I/O pool for the read either. A read that fails is { unread } (the file is stopped as
   * for a damaged blob); the caller reads the box its own way to say why.
   */
  readWriteBlob(m) {
    return writeBox(m, () => readBox(m.path, m.offset, m.length));
  },
  /** Closes the pack files readWriteBlob opened. */
  closeFiles() {
    for (const fd of packFiles.values()) fs.closeSync(fd);
    packFiles.clear();
    return {};
  },
  /** The SHA-256 and byte count of a file writeBlob wrote, which is then forgotten. */
  writeDone(m) {
    const file = writing.get(m.file);
    writing.delete(m.file);
    if (m.drop) return { sha256: '', written: 0 };
    if (!file) return { sha256: crypto.createHash('sha256').digest('hex'), written: 0 };
    return { sha256: file.hash.digest('hex'), written: file.written };
  },
  open(m) {
    // m.box is the caller's to give away: it is freed once decrypted.
    const r = openBox(Buffer.from(m.box, m.boxOffset, m.length), m.type, m.id, Buffer.from(m.buf), m.checkId);
    free(m.box);
    if (r.damage) return { damage: r.damage, detail: r.detail, buf: m.buf };
    if (r.body) {
      // Bigger than the index said (and so than buf): a buffer of its own; the caller sees the length.
      const own = new ArrayBuffer(r.body.length);
      r.body.copy(Buffer.from(own), 0);
      return { length: r.body.length, buf: m.buf, extra: own };
    }
    return { length: r.length, buf: m.buf };
  },
  hash(m) {
    return { sha256: crypto.createHash('sha256').update(Buffer.from(m.buf, 0, m.length)).digest('hex'), buf: m.buf };
  },
  verifyPack(m) {
    const pack = Buffer.from(m.pack, m.packOffset, m.length);
    const sha256 = crypto.createHash('sha256').update(pack).digest('hex');
    const bad = [];
    for (const [type, id, offset, length, rawLength] of m.entries) {
      if (scratch.length < rawLength + 1) scratch = Buffer.allocUnsafe(rawLength + 1);
      const r =
        offset + length <= pack.length
          ? openBox(pack.subarray(offset, offset + length), type, id, scratch)
          : { damage: 'range' };
      if (r.damage || (r.body ? r.body.length : r.length) !== rawLength) bad.push(id);
    }
    free(m.pack);
    return { sha256, bad };
  },
};

parentPort.on('message', (m) => {
  let reply;
  try {
    reply = ops[m.op](m);
  } catch (err) {
    reply = { failure: String((err && err.stack) || err), buf: m.buf };
    if (!(m.buf instanceof ArrayBuffer)) delete reply.buf;
  }
  reply.seq = m.seq;
  const transfer = [reply.buf, reply.extra].filter((b) => b instanceof ArrayBuffer);
  parentPort.postMessage(reply, transfer);
  collectGarbage();
});
`;
