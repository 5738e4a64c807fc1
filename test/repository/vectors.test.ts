// The frozen vectors of format version 1 (docs/format.md 11): reading them must always work, and writing
// from the same inputs must give the same bytes. A failure here means the format changed.

import { readFileSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKey, fromHex, open, sealWithNonce, sha256, toHex } from '../../src/crypto/index.js';
import {
  assemblePack,
  formatRecoveryKey,
  generateRecoveryKey,
  normalizeRecoveryKey,
  openBlob,
  parseKeyFile,
  readPackHeader,
  type SealedBlob,
  sealBlob,
  unwrapMasterKey,
} from '../../src/repository/index.js';
import { createKeyFile } from '../../src/repository/key-file.js';
import { decodeMasterKey, encodeMasterKey } from '../../src/repository/master-key.js';
import { passwordBytes } from '../../src/repository/password.js';

// Vectors are JSON written by scripts/make-vectors.mjs; their shape is checked by use.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of a known shape
const vector = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

beforeAll(async () => {
  await sodium.ready;
});

describe('format v1 test vectors', () => {
  it('kdf.json: Argon2id gives the recorded wrapping keys (and libsodium agrees)', async () => {
    for (const c of vector('kdf.json').cases) {
      expect(toHex(passwordBytes(c.password))).toBe(c.passwordUtf8Hex);
      const params = {
        algorithm: 'argon2id' as const,
        memoryKiB: c.memoryKiB,
        passes: c.passes,
        parallelism: 1 as const,
        salt: fromHex(c.salt),
      };
      expect(toHex(await deriveKey(passwordBytes(c.password), params))).toBe(c.key);
      const viaSodium = sodium.crypto_pwhash(
        32,
        passwordBytes(c.password),
        fromHex(c.salt),
        c.passes,
        c.memoryKiB * 1024,
        sodium.crypto_pwhash_ALG_ARGON2ID13,
      );
      expect(toHex(viaSodium)).toBe(c.key);
    }
  });

  it('aead.json: boxes seal to the recorded bytes and open with libsodium', () => {
    for (const c of vector('aead.json').cases) {
      const [key, nonce, ad, plaintext] = [c.key, c.nonce, c.ad, c.plaintext].map(fromHex) as Uint8Array[];
      const box = toHex(new Uint8Array([...nonce!, ...sealWithNonce(key!, nonce!, plaintext!, ad!)]));
      expect(box).toBe(c.box);
      expect(toHex(open(key!, fromHex(c.box), ad!))).toBe(c.plaintext);
      const boxBytes = fromHex(c.box);
      const viaSodium = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        boxBytes.subarray(24),
        ad!,
        boxBytes.subarray(0, 24),
        key!,
      );
      expect(toHex(viaSodium)).toBe(c.plaintext);
    }
  });

  it('key-file.json: the key file opens to the recorded master key, and is rebuilt byte for byte', async () => {
    const v = vector('key-file.json');
    const bytes = utf8(v.keyFile);
    expect(toHex(sha256(bytes))).toBe(v.keyFileSha256);
    const envelope = parseKeyFile(bytes, 'keys/vector');
    const master = await unwrapMasterKey(envelope, v.password);
    expect(master && toHex(encodeMasterKey(master))).toBe(v.masterKey);
    expect(await unwrapMasterKey(envelope, `${v.password}!`)).toBeUndefined();
    const parsed = JSON.parse(v.keyFile);
    const rebuilt = await createKeyFile(
      decodeMasterKey(fromHex(v.masterKey)),
      v.meta,
      v.password,
      { ...envelope.kdf },
      {
        wrap: Buffer.from(parsed.wrapped, 'base64').subarray(0, 24),
        meta: Buffer.from(parsed.meta, 'base64').subarray(0, 24),
      },
    );
    expect(new TextDecoder().decode(rebuilt)).toBe(v.keyFile);
  });

  it('blob.json: blobs open to their plaintext under their id; uncompressed ones re-seal identically', () => {
    const v = vector('blob.json');
    const master = decodeMasterKey(fromHex(v.masterKey));
    for (const c of v.cases) {
      expect(toHex(openBlob(master, c.type, c.id, fromHex(c.box)))).toBe(c.plaintext);
      const again = sealBlob(master, c.type, fromHex(c.plaintext), {
        compression: c.compression,
        nonce: fromHex(c.nonce),
      });
      expect(again.id).toBe(c.id);
      // zstd output may differ between zstd releases (readers still read both), so compare exact bytes only uncompressed.
      if (c.compression === 'none') expect(toHex(again.box)).toBe(c.box);
    }
  });

  it('pack.json: the pack parses to the recorded entries, its blobs open, and it is rebuilt byte for byte', () => {
    const v = vector('pack.json');
    const master = decodeMasterKey(fromHex(v.masterKey));
    const bytes = fromHex(v.pack);
    expect(toHex(sha256(bytes))).toBe(v.id);
    const entries = readPackHeader(master, bytes, v.id);
    expect(entries).toEqual(v.entries);
    const blobs: SealedBlob[] = entries.map((e, i) => {
      const box = bytes.subarray(e.offset, e.offset + e.length);
      expect(toHex(openBlob(master, e.type, e.id, box))).toBe(v.blobs[i].plaintext);
      return { type: e.type, id: e.id, box, rawLength: e.rawLength };
    });
    const rebuilt = assemblePack(master, blobs, { headerNonce: fromHex(v.headerNonce) });
    expect(rebuilt.id).toBe(v.id);
  });

  it('recovery-key.json: bytes give the recorded keys, and the printed form normalizes back', () => {
    for (const c of vector('recovery-key.json').cases) {
      expect(generateRecoveryKey(fromHex(c.bytes))).toBe(c.normalized);
      expect(formatRecoveryKey(c.normalized)).toBe(c.printed);
      expect(normalizeRecoveryKey(c.printed.toLowerCase())).toBe(c.normalized);
    }
  });
});
