// Index files (docs/format.md 7): which blob lies in which pack, at what offset; binary, sealed, compressed.

import { fromHex, toHex } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';
import type { BlobType } from './format.js';

export interface IndexedBlob {
  readonly type: BlobType;
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  readonly rawLength: number;
}

export interface IndexedPack {
  readonly id: string;
  readonly blobs: readonly IndexedBlob[];
}

export interface IndexFile {
  readonly supersedes: readonly string[];
  readonly packs: readonly IndexedPack[];
}

const BLOB_BYTES = 1 + 32 + 12;

export function encodeIndex(index: IndexFile): Uint8Array {
  const builder = new IndexBuilder(index.supersedes);
  for (const pack of index.packs) builder.add(pack);
  return builder.finish();
}

/**
 * Encodes an index file pack by pack as they are added, so that a caller listing hundreds of thousands
 * of blobs (prune) never holds an object for each of them at once.
 */
export class IndexBuilder {
  readonly #supersedes: readonly string[];
  #body = new Uint8Array(64 * 1024);
  #view = new DataView(this.#body.buffer);
  #size = 0;
  #packs = 0;
  #blobs = 0;

  constructor(supersedes: readonly string[]) {
    this.#supersedes = supersedes;
  }

  get blobCount(): number {
    return this.#blobs;
  }

  add(pack: IndexedPack): void {
    this.#reserve(36 + pack.blobs.length * BLOB_BYTES);
    const out = this.#body;
    const view = this.#view;
    let at = this.#size;
    out.set(fromHex(pack.id), at);
    view.setUint32(at + 32, pack.blobs.length, true);
    at += 36;
    for (const b of pack.blobs) {
      out[at] = b.type === 'data' ? 0 : 1;
      out.set(fromHex(b.id), at + 1);
      view.setUint32(at + 33, b.offset, true);
      view.setUint32(at + 37, b.length, true);
      view.setUint32(at + 41, b.rawLength, true);
      at += BLOB_BYTES;
    }
    this.#size = at;
    this.#packs++;
    this.#blobs += pack.blobs.length;
  }

  finish(): Uint8Array {
    const head = 1 + 4 + 32 * this.#supersedes.length + 4;
    const out = new Uint8Array(head + this.#size);
    const view = new DataView(out.buffer);
    let at = 0;
    out[at++] = 1;
    view.setUint32(at, this.#supersedes.length, true);
    at += 4;
    for (const id of this.#supersedes) {
      out.set(fromHex(id), at);
      at += 32;
    }
    view.setUint32(at, this.#packs, true);
    out.set(this.#body.subarray(0, this.#size), head);
    return out;
  }

  #reserve(bytes: number): void {
    if (this.#size + bytes <= this.#body.length) return;
    const grown = new Uint8Array(Math.max(this.#body.length * 2, this.#size + bytes));
    grown.set(this.#body.subarray(0, this.#size));
    this.#body = grown;
    this.#view = new DataView(grown.buffer);
  }
}

export function decodeIndex(bytes: Uint8Array, what: string): IndexFile {
  const supersedes: string[] = [];
  const packs: { id: string; blobs: IndexedBlob[] }[] = [];
  scanIndex(bytes, what, {
    supersedes: (id) => supersedes.push(id),
    pack: (id) => {
      packs.push({ id, blobs: [] });
      return true;
    },
    blob: (type, id, offset, length, rawLength) =>
      packs.at(-1)!.blobs.push({ type, id: toHex(id), offset, length, rawLength }),
  });
  return { supersedes, packs };
}

/** What {@link scanIndex} reports, in file order. */
export interface IndexVisitor {
  supersedes?(id: string): void;
  /** A pack and how many blobs it lists; return false to skip them. */
  pack(id: string, blobCount: number): boolean;
  /** A blob of the pack reported last; `id` is its 32 bytes, valid only during the call. */
  blob(type: BlobType, id: Uint8Array, offset: number, length: number, rawLength: number): void;
}

/**
 * Reads an index file without building an object per blob (an index after prune lists every blob of
 * the repository: a million entries would be a few hundred MB of objects). Checks it all the same.
 */
export function scanIndex(bytes: Uint8Array, what: string, visit: IndexVisitor): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new CorruptObjectError(`${what} is damaged: it ends too early`);
  };
  need(5);
  if (bytes[0] !== 1) throw new CorruptObjectError(`${what} has unknown index version ${bytes[0]}`);
  const supersededCount = view.getUint32(1, true);
  at = 5;
  need(32 * supersededCount + 4);
  for (let i = 0; i < supersededCount; i++, at += 32) visit.supersedes?.(toHex(bytes.subarray(at, at + 32)));
  const packCount = view.getUint32(at, true);
  at += 4;
  for (let p = 0; p < packCount; p++) {
    need(36);
    const id = toHex(bytes.subarray(at, at + 32));
    const count = view.getUint32(at + 32, true);
    at += 36;
    need(count * BLOB_BYTES);
    const wanted = visit.pack(id, count);
    for (let i = 0; i < count; i++, at += BLOB_BYTES) {
      const code = bytes[at];
      if (code !== 0 && code !== 1)
        throw new CorruptObjectError(`${what} is damaged: unknown blob type ${code}`);
      if (!wanted) continue;
      visit.blob(
        code === 0 ? 'data' : 'tree',
        bytes.subarray(at + 1, at + 33),
        view.getUint32(at + 33, true),
        view.getUint32(at + 37, true),
        view.getUint32(at + 41, true),
      );
    }
  }
  if (at !== bytes.length) throw new CorruptObjectError(`${what} is damaged: it has trailing bytes`);
}
