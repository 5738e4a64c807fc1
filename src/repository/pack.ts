// Pack files (docs/format.md 6): blob boxes, then an encrypted header listing them, then the header's length.

import { fromHex, toHex } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';
import type { SealedBlob } from './blob.js';
import { AD, type BlobType } from './format.js';
import type { MasterKey } from './master-key.js';
import { objectIdOf } from './object-id.js';
import { openPayload, sealPayload } from './sealed.js';

export interface PackEntry {
  readonly type: BlobType;
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  readonly rawLength: number;
}

export interface AssembledPack {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly entries: readonly PackEntry[];
}

const ENTRY_BYTES = 41;
const TYPE_CODES: Readonly<Record<BlobType, number>> = { data: 0, tree: 1 };

/** Collects sealed blobs until the pack is big enough, then assembles the pack's bytes. */
export class PackBuilder {
  readonly #master: MasterKey;
  readonly #blobs: SealedBlob[] = [];
  readonly #ids = new Set<string>();
  #size = 0;

  constructor(master: MasterKey) {
    this.#master = master;
  }

  /** Adds a blob; returns false (and adds nothing) when the pack already holds that id. */
  add(blob: SealedBlob): boolean {
    if (this.#ids.has(blob.id)) return false;
    this.#ids.add(blob.id);
    this.#blobs.push(blob);
    this.#size += blob.box.length;
    return true;
  }

  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#blobs.length;
  }

  finish(opts: { headerNonce?: Uint8Array } = {}): AssembledPack {
    return assemblePack(this.#master, this.#blobs, opts);
  }
}

export function assemblePack(
  master: MasterKey,
  blobs: readonly SealedBlob[],
  opts: { headerNonce?: Uint8Array } = {},
): AssembledPack {
  const entries: PackEntry[] = [];
  let offset = 0;
  for (const b of blobs) {
    entries.push({ type: b.type, id: b.id, offset, length: b.box.length, rawLength: b.rawLength });
    offset += b.box.length;
  }
  const header = sealPayload(master.encryption, AD.packHeader, encodePackHeader(entries), {
    nonce: opts.headerNonce,
  });
  const bytes = new Uint8Array(offset + header.length + 4);
  for (const [i, b] of blobs.entries()) bytes.set(b.box, entries[i]!.offset);
  bytes.set(header, offset);
  new DataView(bytes.buffer).setUint32(offset + header.length, header.length, true);
  return { id: objectIdOf(bytes), bytes, entries };
}

/** Reads the entries of a whole pack; `name` identifies it in messages. */
export function readPackHeader(master: MasterKey, pack: Uint8Array, name: string): PackEntry[] {
  const what = `pack ${name}`;
  if (pack.length < 4) throw new CorruptObjectError(`${what} is damaged: it is truncated`);
  const headerLength = new DataView(pack.buffer, pack.byteOffset, pack.byteLength).getUint32(
    pack.length - 4,
    true,
  );
  const headerStart = pack.length - 4 - headerLength;
  if (headerStart < 0) throw new CorruptObjectError(`${what} is damaged: its header length is impossible`);
  const header = openPayload(
    master.encryption,
    AD.packHeader,
    pack.subarray(headerStart, pack.length - 4),
    `the header of ${what}`,
  );
  const entries = decodeHeader(header, what);
  const end = entries.reduce((sum, e) => sum + e.length, 0);
  if (end !== headerStart) throw new CorruptObjectError(`${what} is damaged: its blobs do not fill it`);
  return entries;
}

export function encodePackHeader(entries: readonly PackEntry[]): Uint8Array {
  const out = new Uint8Array(entries.length * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const at = i * ENTRY_BYTES;
    out[at] = TYPE_CODES[e.type];
    view.setUint32(at + 1, e.length, true);
    view.setUint32(at + 5, e.rawLength, true);
    out.set(fromHex(e.id), at + 9);
  });
  return out;
}

function decodeHeader(bytes: Uint8Array, what: string): PackEntry[] {
  if (bytes.length % ENTRY_BYTES !== 0) throw new CorruptObjectError(`the header of ${what} is damaged`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: PackEntry[] = [];
  let offset = 0;
  for (let at = 0; at < bytes.length; at += ENTRY_BYTES) {
    const code = bytes[at];
    if (code !== 0 && code !== 1)
      throw new CorruptObjectError(`the header of ${what} has an unknown blob type`);
    const length = view.getUint32(at + 1, true);
    entries.push({
      type: code === 0 ? 'data' : 'tree',
      id: toHex(bytes.subarray(at + 9, at + ENTRY_BYTES)),
      offset,
      length,
      rawLength: view.getUint32(at + 5, true),
    });
    offset += length;
  }
  return entries;
}
