// A pack being filled in one reusable buffer: sealed blobs are copied in, and the finished pack is a view of
// it, so a backup reuses a few large buffers instead of allocating a pack's worth of memory per pack.

import type { SealedBlob } from './blob.js';
import { AD, type BlobType } from './format.js';
import type { MasterKey } from './master-key.js';
import { encodePackHeader, type PackEntry } from './pack.js';
import { sealPayload } from './sealed.js';

/** Room kept for the header: its boxes are 41 bytes an entry (see MAX_ENTRIES) plus overhead. */
export const MAX_ENTRIES = 16_384;
const HEADER_ROOM = MAX_ENTRIES * 41 + 1024;
/** What sealing adds to a blob's data: nonce, compression byte, tag. */
export const BOX_OVERHEAD = 24 + 1 + 16;

/** A buffer size that holds a pack of `payload` bytes of boxes and its largest possible header. */
export function packBufferCapacity(payload: number): number {
  return payload + HEADER_ROOM + BOX_OVERHEAD;
}

export class PackBuffer {
  readonly #master: MasterKey;
  #buf: Uint8Array;
  #size = 0;
  readonly #entries: PackEntry[] = [];
  readonly #ids = new Set<string>();

  constructor(master: MasterKey, buffer: Uint8Array) {
    this.#master = master;
    this.#buf = buffer;
  }

  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#entries.length;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Whether a box of this many bytes still fits (with the header's room kept). */
  fits(boxBytes: number): boolean {
    return this.#entries.length < MAX_ENTRIES && this.#size + boxBytes + HEADER_ROOM <= this.#buf.length;
  }

  /** Copies an already sealed blob in. */
  addBox(blob: SealedBlob): void {
    this.#reserve(blob.box.length);
    this.#buf.set(blob.box, this.#size);
    this.#record(blob.type, blob.id, blob.box.length, blob.rawLength);
  }

  /** Appends the header and returns the pack's bytes (a view of the buffer), leaving the naming to the caller. */
  close(): Uint8Array {
    const header = sealPayload(this.#master.encryption, AD.packHeader, encodePackHeader(this.#entries));
    this.#reserve(header.length + 4);
    this.#buf.set(header, this.#size);
    new DataView(this.#buf.buffer, this.#buf.byteOffset).setUint32(
      this.#size + header.length,
      header.length,
      true,
    );
    return this.#buf.subarray(0, this.#size + header.length + 4);
  }

  get entries(): readonly PackEntry[] {
    return this.#entries;
  }

  #reserve(bytes: number): void {
    const need = this.#size + bytes + HEADER_ROOM;
    if (need <= this.#buf.length) return;
    // Only a caller that skipped fits() gets here (a tree bigger than expected): grow rather than fail.
    const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
    grown.set(this.#buf.subarray(0, this.#size));
    this.#buf = grown;
  }

  #record(type: BlobType, id: string, length: number, rawLength: number): void {
    this.#entries.push({ type, id, offset: this.#size, length, rawLength });
    this.#ids.add(id);
    this.#size += length;
  }
}
