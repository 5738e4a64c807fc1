// Blobs (docs/format.md 6): a chunk or tree, named by its keyed content id and sealed with that id bound in.

import { contentId, sealParts, toHex } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';
import { type Compression, encodePayloadAsync, RAW, ZSTD } from './compression.js';
import { AD, type BlobType } from './format.js';
import type { MasterKey } from './master-key.js';
import { openPayload, openPayloadAsync, sealEncoded, sealPayload } from './sealed.js';

export interface SealedBlob {
  readonly type: BlobType;
  readonly id: string;
  readonly box: Uint8Array;
  readonly rawLength: number;
}

export function blobIdOf(master: MasterKey, plaintext: Uint8Array): string {
  return toHex(contentId(master.contentId, plaintext));
}

export function sealBlob(
  master: MasterKey,
  type: BlobType,
  plaintext: Uint8Array,
  opts: { compression?: Compression; id?: string; nonce?: Uint8Array } = {},
): SealedBlob {
  const id = opts.id ?? blobIdOf(master, plaintext);
  const box = sealPayload(master.encryption, AD.blob(type, id), plaintext, opts);
  return { type, id, box, rawLength: plaintext.length };
}

/** Seals a blob, compressing off the main thread; `id` is passed when the caller has computed it already. */
export async function sealBlobAsync(
  master: MasterKey,
  type: BlobType,
  plaintext: Uint8Array,
  id: string,
  compression: Compression,
): Promise<SealedBlob> {
  const encoded = await encodePayloadAsync(plaintext, compression);
  return {
    type,
    id,
    box: sealEncoded(master.encryption, AD.blob(type, id), encoded),
    rawLength: plaintext.length,
  };
}

/**
 * Seals a blob whose id and compression were worked out elsewhere (a worker thread): `zstdFrame` is the
 * compressed form when compression paid, else undefined and the plaintext is stored as it is.
 */
export function sealPrepared(
  master: MasterKey,
  type: BlobType,
  id: string,
  plaintext: Uint8Array,
  zstdFrame: Uint8Array | undefined,
): SealedBlob {
  const parts = zstdFrame ? [Uint8Array.of(ZSTD), zstdFrame] : [Uint8Array.of(RAW), plaintext];
  return {
    type,
    id,
    box: sealParts(master.encryption, parts, AD.blob(type, id)),
    rawLength: plaintext.length,
  };
}

/** Opens a blob box and checks that its plaintext really has the id it is stored under. */
export function openBlob(master: MasterKey, type: BlobType, id: string, box: Uint8Array): Uint8Array {
  const what = `${type} blob ${id.slice(0, 12)}`;
  const plaintext = openPayload(master.encryption, AD.blob(type, id), box, what);
  if (blobIdOf(master, plaintext) !== id) {
    throw new CorruptObjectError(`${what} is damaged: its content does not match its id`);
  }
  return plaintext;
}

/** Like {@link openBlob}, decompressing on the thread pool (for restores, where throughput matters). */
export async function openBlobAsync(
  master: MasterKey,
  type: BlobType,
  id: string,
  box: Uint8Array,
  expectedSize?: number,
): Promise<Uint8Array> {
  const what = `${type} blob ${id.slice(0, 12)}`;
  const plaintext = await openPayloadAsync(master.encryption, AD.blob(type, id), box, what, expectedSize);
  if (blobIdOf(master, plaintext) !== id) {
    throw new CorruptObjectError(`${what} is damaged: its content does not match its id`);
  }
  return plaintext;
}
