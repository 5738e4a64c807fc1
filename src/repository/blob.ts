// Blobs (docs/format.md 6): a chunk or tree, named by its keyed content id and sealed with that id bound in.

import { contentId, toHex } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';
import type { Compression } from './compression.js';
import { AD, type BlobType } from './format.js';
import type { MasterKey } from './master-key.js';
import { openPayload, openPayloadAsync, sealPayload } from './sealed.js';

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
