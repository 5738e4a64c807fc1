// A pack being filled in one reusable buffer: blobs are sealed straight into it, and the finished pack is a
// view of it, so a backup copies each byte once on its way to storage and reuses a few large buffers.

import { sealPartsInto } from '../crypto/index.js';
import type { SealedBlob } from './blob.js';
import { RAW, ZSTD } from './compression.js';
import { AD, type BlobType } from './format.js';
import type { MasterKey } from './master-key.js';
import { objectIdOf } from './object-id.js';
import { encodePackHeader, type AssembledPack, type PackEntry } from './pack.js';
import { sealPayload } from './sealed.js';

/** Room kept for the header: its boxes are 41 bytes an entry (see MAX_ENTRIES) plus overhead. */
export const MAX_ENTRIES = 16_384;
const HEADER_ROOM = MAX_ENTRIES * 41 + 1024;
const BOX_OVERHEAD = 24 + 16 + 1;

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

  /** Whether a blob of this many plaintext bytes still fits (with the header's room kept). */
  fits(plaintextBytes: number): boolean {
    return (
      this.#entries.length < MAX_ENTRIES &&
      this.#size + plaintextBytes + BOX_OVERHEAD + HEADER_ROOM <= this.#buf.length
    );
  }

  /** Seals a data or tree blob into the pack; `zstd` is its compressed form when that paid. */
  sealBlob(type: BlobType, id: string, plaintext: Uint8Array, zstd: Uint8Array | undefined): void {
    const parts = zstd ? [Uint8Array.of(ZSTD), zstd] : [Uint8Array.of(RAW), plaintext];
    this.#reserve(parts[1]!.length);
    const length = sealPartsInto(this.#buf, this.#size, this.#master.encryption, parts, AD.blob(type, id));
    this.#record(type, id, length, plaintext.length);
  }

  /** Copies an already sealed blob in. */
  addBox(blob: SealedBlob): void {
    this.#reserve(blob.box.length);
    this.#buf.set(blob.box, this.#size);
    this.#record(blob.type, blob.id, blob.box.length, blob.rawLength);
  }

  /** Appends the header; the pack's bytes are a view of the buffer, valid until the buffer is reused. */
  finish(): AssembledPack {
    const header = sealPayload(this.#master.encryption, AD.packHeader, encodePackHeader(this.#entries));
    this.#reserve(header.length + 4);
    this.#buf.set(header, this.#size);
    new DataView(this.#buf.buffer, this.#buf.byteOffset).setUint32(
      this.#size + header.length,
      header.length,
      true,
    );
    const bytes = this.#buf.subarray(0, this.#size + header.length + 4);
    return { id: objectIdOf(bytes), bytes, entries: this.#entries };
  }

  /** The buffer, for reuse once the finished pack has been stored. */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  #reserve(bytes: number): void {
    const need = this.#size + bytes + BOX_OVERHEAD + HEADER_ROOM;
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
