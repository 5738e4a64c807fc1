// Worker threads for the per-blob heavy work: content ids, zstd and XChaCha20-Poly1305 for backups; opening
// and checking blobs for checks; opening, hashing and writing them (and reading them from local packs) for
// restores. The main thread keeps the rest of the I/O, the chunker and the decisions.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CorruptObjectError, UnsupportedFormatError } from '../errors.js';
import { BLOB_WORKER_SOURCE } from './blob-worker-source.js';
import { MIN_COMPRESS_SIZE, ZSTD_LEVEL } from './compression.js';
import type { BlobType } from './format.js';
import type { MasterKey } from './master-key.js';
import { BOX_OVERHEAD } from './pack-buffer.js';

export interface BlobWorkersOptions {
  /** Worker threads; by default one per core but one (the main thread's), at least one, at most four. */
  readonly threads?: number;
  readonly zstdLevel?: number;
}

/**
 * A file whose SHA-256 a worker computes from the chunks named for it, in the order they are named: every
 * call for it goes to the same worker, whose messages are handled in the order they are sent.
 */
export interface WorkerFileHash {
  readonly slot: number;
  readonly file: number;
}

/** An entry of a pack for {@link BlobWorkers.verifyPack}. */
export interface PackBlobEntry {
  readonly type: BlobType;
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  readonly rawLength: number;
}

interface Reply {
  readonly seq: number;
  /** The caller's buffer, handed back (absent when it was given away). */
  readonly buf: ArrayBuffer;
  readonly id?: string;
  readonly length?: number;
  readonly extra?: ArrayBuffer;
  readonly damage?: 'auth' | 'empty' | 'decompress' | 'compression' | 'id' | 'no-zstd';
  readonly detail?: number;
  readonly sha256?: string;
  readonly bad?: string[];
  readonly failure?: string;
  /** writeBlob: the file's earlier blob failed, so this one was not written. */
  readonly skipped?: boolean;
  /** readWriteBlob: the box could not be read (why, as far as the worker knows). */
  readonly unread?: { readonly code?: string; readonly message: string };
  /** writeBlob: the write failed. */
  readonly fsError?: { readonly code?: string; readonly syscall?: string; readonly message: string };
  readonly openMs?: number;
  readonly hashMs?: number;
  readonly writeMs?: number;
  readonly written?: number;
}

/** What writing one blob cost the worker, in milliseconds, for a drill's phases. */
export interface BlobWriteCost {
  readonly length: number;
  readonly openMs: number;
  readonly hashMs: number;
  readonly writeMs: number;
}

interface Pending {
  readonly resolve: (r: Reply) => void;
  readonly reject: (err: unknown) => void;
  readonly slot: Slot;
}

interface Slot {
  readonly worker: Worker;
  busy: number;
  /** Files begun on it and not yet finished (see beginFile). */
  files: number;
}

/**
 * A small pool of blob workers. Every call moves its buffers to a worker (the caller must not touch them
 * meanwhile); the ones a call hands back come as new ArrayBuffers over the same memory. Calls go to the
 * least busy worker.
 */
export class BlobWorkers {
  readonly #threads: number;
  readonly #start: () => Slot;
  /** Started on the first call: a backup with nothing to read never needs them. */
  #slots: Slot[] | undefined;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #files = 0;
  #failure: unknown;

  constructor(master: Pick<MasterKey, 'contentId' | 'encryption'>, opts: BlobWorkersOptions = {}) {
    this.#threads = Math.max(1, opts.threads ?? defaultThreads());
    const workerData = {
      contentId: master.contentId,
      encryption: master.encryption,
      level: opts.zstdLevel ?? ZSTD_LEVEL,
      minCompress: MIN_COMPRESS_SIZE,
    };
    this.#start = () => {
      const worker = new Worker(BLOB_WORKER_SOURCE, { eval: true, workerData });
      // Never what keeps the process alive: callers close the pool, and a crash must not hang the exit.
      worker.unref();
      const slot: Slot = { worker, busy: 0, files: 0 };
      worker.on('message', (r: Reply) => this.#settle(r));
      worker.on('error', (err) => this.#fail(err));
      worker.on('exit', (code) => {
        if (this.#pending.size > 0) this.#fail(new Error(`a blob worker stopped (exit code ${code})`));
      });
      return slot;
    };
  }

  get threads(): number {
    return this.#threads;
  }

  /** Starts the workers now rather than on the first call, so they are ready when it comes. */
  start(): void {
    this.#started();
  }

  /** The content id of buf[0, length); with `file`, the bytes are also the next part of that file's hash. */
  async name(
    buf: ArrayBuffer,
    length: number,
    file?: WorkerFileHash,
  ): Promise<{ id: string; buffer: ArrayBuffer }> {
    const r = file
      ? await this.#call({ op: 'name', buf, length, file: file.file }, [buf], file.slot)
      : await this.#call({ op: 'name', buf, length }, [buf]);
    return { id: r.id!, buffer: r.buf };
  }

  /**
   * Names buf[0, length) as {@link name} does and seals it at once as a data blob, as {@link seal} does: one
   * trip to the worker instead of two, for chunks that are most likely new (the caller drops the box of
   * one that turns out to be known).
   */
  async nameAndSeal(
    buf: ArrayBuffer,
    length: number,
    file: WorkerFileHash,
    compress: boolean,
  ): Promise<{ id: string; length: number; buffer: ArrayBuffer }> {
    if (buf.byteLength < length + BOX_OVERHEAD)
      throw new RangeError('nameAndSeal: the buffer has no room for the box');
    const r = await this.#call({ op: 'nameSeal', buf, length, file: file.file, compress }, [buf], file.slot);
    return { id: r.id!, length: r.length!, buffer: r.buf };
  }

  /**
   * Starts a file hashed from its chunks as they are named (see {@link WorkerFileHash}), on the worker with
   * the fewest files under way (then the least busy): files read at once spread over the workers.
   */
  beginFile(): WorkerFileHash {
    const slots = this.#started();
    let best = 0;
    for (let i = 1; i < slots.length; i++) {
      const [a, b] = [slots[i]!, slots[best]!];
      if (a.files < b.files || (a.files === b.files && a.busy < b.busy)) best = i;
    }
    slots[best]!.files++;
    return { slot: best, file: this.#files++ };
  }

  /** The SHA-256 of everything named for the file, once those calls are done; the file is then forgotten. */
  async fileSha256(file: WorkerFileHash): Promise<string> {
    return (await this.#finishFile(file, false)).sha256!;
  }

  /** Forgets a file whose hash is not wanted (it could not be read to the end). */
  dropFile(file: WorkerFileHash): void {
    this.#finishFile(file, true).catch(() => undefined);
  }

  #finishFile(file: WorkerFileHash, drop: boolean): Promise<Reply> {
    return this.#endFile(file, 'fileDigest', drop);
  }

  /** Ends a file begun with beginFile: its worker has one file fewer, and `op` gives its result. */
  #endFile(file: WorkerFileHash, op: 'fileDigest' | 'writeDone', drop: boolean): Promise<Reply> {
    const slot = this.#slots?.[file.slot];
    if (slot && slot.files > 0) slot.files--;
    return this.#call({ op, file: file.file, ...(drop ? { drop } : {}) }, [], file.slot);
  }

  /**
   * Seals buf[0, length) as a blob box written over it (compressed when `compress` and it pays). The buffer
   * needs length + BOX_OVERHEAD bytes. Resolves with the box's length.
   */
  async seal(
    buf: ArrayBuffer,
    length: number,
    type: BlobType,
    id: string,
    compress: boolean,
  ): Promise<{ length: number; buffer: ArrayBuffer }> {
    if (buf.byteLength < length + BOX_OVERHEAD)
      throw new RangeError('seal: the buffer has no room for the box');
    const r = await this.#call({ op: 'seal', buf, length, type, id, compress }, [buf]);
    return { length: r.length!, buffer: r.buf };
  }

  /**
   * Opens the blob box box[offset, offset + length) and checks it (authentication, decompression, content
   * id), writing its plaintext into `out`. `box` is given away (it must not be touched again); `out` comes
   * back as `buffer`. A damaged blob throws {@link BlobDamageError} (a CorruptObjectError with openBlob's
   * messages, carrying `out` back). `plaintext` is a view of `buffer`, or of a buffer of its own when the
   * plaintext does not fit in `out` with a byte to spare. `checkId: false` leaves out the content-id check,
   * for a caller that checks every byte against a hash of its own (see ParallelBlobReader).
   */
  async open(
    box: ArrayBuffer,
    offset: number,
    length: number,
    out: ArrayBuffer,
    type: BlobType,
    id: string,
    rawLength: number,
    checkId = true,
  ): Promise<{ plaintext: Uint8Array; buffer: ArrayBuffer }> {
    const r = await this.#call(
      { op: 'open', box, boxOffset: offset, length, buf: out, type, id, rawLength, checkId },
      [box, out],
    );
    if (r.damage === 'no-zstd') throw new UnsupportedFormatError(damageMessage(type, id, r));
    if (r.damage) throw new BlobDamageError(damageMessage(type, id, r), r.buf);
    const plaintext = r.extra ? new Uint8Array(r.extra) : new Uint8Array(r.buf, 0, r.length!);
    return { plaintext, buffer: r.buf };
  }

  /**
   * Opens the data blob box[offset, offset + length) as {@link open} does (without the content-id check) and
   * writes its plaintext at the position of the open descriptor `fd`, as the next part of `file` (from
   * {@link beginFile}), whose SHA-256 and byte count {@link writeDone} gives. A file's blobs must be sent in
   * order, and `fd` kept open until every one of them has settled. After a blob of the file fails, its
   * later ones are not written (they resolve with length 0). `box` is given away; with `giveBack` it comes
   * back as `buffer` (unless the blob fails), for the caller to reuse.
   */
  async writeBlob(
    box: ArrayBuffer,
    offset: number,
    length: number,
    id: string,
    rawLength: number,
    fd: number,
    file: WorkerFileHash,
    giveBack = false,
  ): Promise<BlobWriteCost & { buffer?: ArrayBuffer }> {
    const r = await this.#call(
      { op: 'writeBlob', box, boxOffset: offset, length, id, rawLength, fd, file: file.file, giveBack },
      [box],
      file.slot,
    );
    return { ...writeCost(r, id), ...(r.buf instanceof ArrayBuffer ? { buffer: r.buf } : {}) };
  }

  /**
   * {@link writeBlob} for a box the worker reads itself: bytes [offset, offset + length) of the local
   * file `path` (see Storage.localFile). A box it cannot read rejects with {@link BoxUnreadError}, and the
   * file is stopped as for a damaged blob.
   */
  async readWriteBlob(
    path: string,
    offset: number,
    length: number,
    id: string,
    rawLength: number,
    fd: number,
    file: WorkerFileHash,
  ): Promise<BlobWriteCost> {
    const r = await this.#call(
      { op: 'readWriteBlob', path, offset, length, id, rawLength, fd, file: file.file },
      [],
      file.slot,
    );
    if (r.unread) throw new BoxUnreadError(r.unread.message);
    return writeCost(r, id);
  }

  /**
   * The SHA-256 and byte count of what {@link writeBlob} wrote for `file`, once those calls are done; with
   * `drop`, the file is only forgotten. Either way the file is finished.
   */
  async writeDone(file: WorkerFileHash, drop = false): Promise<{ sha256: string; written: number }> {
    const r = await this.#endFile(file, 'writeDone', drop);
    return { sha256: r.sha256!, written: r.written! };
  }

  /** The SHA-256 of buf[0, length), which is given away and comes back as `buffer`. */
  async sha256(buf: ArrayBuffer, length: number): Promise<{ sha256: string; buffer: ArrayBuffer }> {
    const r = await this.#call({ op: 'hash', buf, length }, [buf]);
    return { sha256: r.sha256!, buffer: r.buf };
  }

  /**
   * Verifies a whole pack, pack[offset, offset + length): its SHA-256, and each entry's blob
   * (authentication, decompression, content id, plaintext length). `pack` is given away. Returns the
   * pack's SHA-256 and the ids of the blobs that fail.
   */
  async verifyPack(
    pack: ArrayBuffer,
    offset: number,
    length: number,
    entries: readonly PackBlobEntry[],
  ): Promise<{ sha256: string; badBlobs: string[] }> {
    const rows = entries.map((e) => [e.type, e.id, e.offset, e.length, e.rawLength]);
    const r = await this.#call({ op: 'verifyPack', pack, packOffset: offset, length, entries: rows }, [pack]);
    return { sha256: r.sha256!, badBlobs: r.bad! };
  }

  /**
   * Stops the workers; calls still waiting, and later ones, reject. The waiting ones reject only once the
   * workers have stopped, so a caller that closes a file when its writeBlob calls settle never closes it
   * under a worker still writing to it.
   */
  async close(): Promise<void> {
    // Descriptors a worker opened stay open when it is terminated: it closes its pack files first.
    if (this.#failure === undefined && this.#slots)
      await Promise.allSettled(this.#slots.map((_, i) => this.#call({ op: 'closeFiles' }, [], i)));
    const closed = new Error('the blob workers were closed');
    this.#failure ??= closed;
    await Promise.all((this.#slots ?? []).map((s) => s.worker.terminate()));
    this.#fail(closed);
  }

  #call(
    message: { op: string } & Record<string, unknown>,
    transfer: ArrayBuffer[],
    slotIndex?: number,
  ): Promise<Reply> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const slot = this.#started()[slotIndex ?? this.#leastBusy()]!;
    const seq = this.#seq++;
    slot.busy++;
    const reply = new Promise<Reply>((resolve, reject) => this.#pending.set(seq, { resolve, reject, slot }));
    slot.worker.postMessage({ ...message, seq }, transfer);
    return reply;
  }

  /** The workers, started on first use so a small job never starts them. */
  #started(): Slot[] {
    return (this.#slots ??= Array.from({ length: this.#threads }, this.#start));
  }

  #leastBusy(): number {
    const slots = this.#slots!;
    let best = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i]!.busy < slots[best]!.busy) best = i;
    return best;
  }

  #settle(r: Reply): void {
    const p = this.#pending.get(r.seq);
    if (!p) return;
    this.#pending.delete(r.seq);
    p.slot.busy--;
    if (r.failure !== undefined) p.reject(new Error(`a blob worker failed: ${r.failure}`));
    else p.resolve(r);
  }

  #fail(err: unknown): void {
    this.#failure ??= err;
    for (const [seq, p] of [...this.#pending]) {
      this.#pending.delete(seq);
      p.reject(err);
    }
  }
}

/** A blob that does not open; carries the caller's buffer back so it can be reused. */
export class BlobDamageError extends CorruptObjectError {
  readonly buffer: ArrayBuffer;
  constructor(message: string, buffer: ArrayBuffer) {
    super(message);
    this.buffer = buffer;
  }
}

function damageMessage(type: BlobType, id: string, r: Reply): string {
  const what = `${type} blob ${id.slice(0, 12)}`;
  switch (r.damage) {
    case 'auth':
      return `${what} is damaged or was tampered with: it failed authentication`;
    case 'empty':
      return `${what} is damaged: empty payload`;
    case 'decompress':
      return `${what} is damaged: its compressed data does not decompress`;
    case 'compression':
      return `${what} uses unknown compression ${r.detail}`;
    case 'no-zstd':
      return `${what} is zstd-compressed, and this Node.js has no zstd: run coffer on Node.js 22.15 or later (24 LTS recommended)`;
    default:
      return `${what} is damaged: its content does not match its id`;
  }
}

/** What a writeBlob or readWriteBlob reply says, as its cost or the error it is. */
function writeCost(r: Reply, id: string): BlobWriteCost {
  if (r.damage === 'no-zstd') throw new UnsupportedFormatError(damageMessage('data', id, r));
  if (r.damage) throw new CorruptObjectError(damageMessage('data', id, r));
  if (r.fsError) throw fsError(r.fsError);
  if (r.skipped) return { length: 0, openMs: 0, hashMs: 0, writeMs: 0 };
  return { length: r.length!, openMs: r.openMs!, hashMs: r.hashMs!, writeMs: r.writeMs! };
}

/** A box a worker could not read from its pack file; the caller reads it its own way to say why. */
export class BoxUnreadError extends Error {}

/** A worker's file-system error as the main thread's own would be (code and syscall: see isFsError in restore). */
function fsError(e: NonNullable<Reply['fsError']>): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(e.message);
  if (e.code !== undefined) err.code = e.code;
  if (e.syscall !== undefined) err.syscall = e.syscall;
  return err;
}

/**
 * The bytes as (buffer, offset, length) that may be given away to a worker: the view's own ArrayBuffer when
 * it covers all of it (what storage reads return), else a copy (a view into a larger buffer, or into
 * Buffer's shared pool, which must never be transferred).
 */
export function transferable(bytes: Uint8Array): { buffer: ArrayBuffer; offset: number; length: number } {
  const whole =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteLength > 4096;
  const own = whole ? bytes : new Uint8Array(bytes);
  return { buffer: own.buffer as ArrayBuffer, offset: 0, length: own.length };
}

function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}
