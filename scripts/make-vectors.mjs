#!/usr/bin/env node
// Writes test/vectors/*.json from fixed inputs. Run once per format version:
//   npm run build && node scripts/make-vectors.mjs [--force]
// The vectors are then frozen: a change to any of them is a format change (docs/format.md, section 11).

import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveKey, sealWithNonce, toHex, fromHex } from '../dist/src/crypto/index.js';
import {
  assemblePack,
  sealBlob,
  formatRecoveryKey,
  generateRecoveryKey,
} from '../dist/src/repository/index.js';
import { createKeyFile } from '../dist/src/repository/key-file.js';
import { decodeMasterKey, encodeMasterKey } from '../dist/src/repository/master-key.js';
import { passwordBytes } from '../dist/src/repository/password.js';

const dir = new URL('../test/vectors/', import.meta.url).pathname;
const force = process.argv.includes('--force');

/** Deterministic bytes: byte i = (seed * 31 + i * 7) mod 256. Easy to reproduce in any language. */
const pattern = (seed, n) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 7) & 0xff);
const utf8 = (s) => new TextEncoder().encode(s);
const hex = (b) => toHex(b);

function write(name, value) {
  const path = join(dir, name);
  if (existsSync(path) && !force) {
    console.error(
      `${path} exists; vectors are frozen (use --force only together with a format version bump)`,
    );
    process.exitCode = 1;
    return;
  }
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${path}`);
}

const kdfCases = [
  { password: 'correct horse battery staple', salt: pattern(1, 16), memoryKiB: 64, passes: 1 },
  { password: 'caf\u00e9 \u00fcber Stra\u00dfe', salt: pattern(2, 16), memoryKiB: 256, passes: 2 },
  { password: 'parish council 2026', salt: pattern(3, 16), memoryKiB: 65536, passes: 3 },
];
const kdf = [];
for (const c of kdfCases) {
  const key = await deriveKey(passwordBytes(c.password), { algorithm: 'argon2id', parallelism: 1, ...c });
  kdf.push({
    password: c.password,
    passwordUtf8Hex: hex(passwordBytes(c.password)),
    salt: hex(c.salt),
    memoryKiB: c.memoryKiB,
    passes: c.passes,
    parallelism: 1,
    key: hex(key),
  });
}
write('kdf.json', {
  description: 'Argon2id v0x13, parallelism 1, 32-byte output (docs/format.md 3.4)',
  cases: kdf,
});

const aeadCases = [
  { key: pattern(4, 32), nonce: pattern(5, 24), ad: utf8('coffer/v1/config'), plaintext: utf8('') },
  { key: pattern(6, 32), nonce: pattern(7, 24), ad: utf8(''), plaintext: utf8('a') },
  { key: pattern(8, 32), nonce: pattern(9, 24), ad: utf8('coffer/v1/snapshot'), plaintext: pattern(10, 300) },
];
write('aead.json', {
  description: 'XChaCha20-Poly1305 (IETF), box = nonce || ciphertext || tag (docs/format.md 3.1)',
  cases: aeadCases.map((c) => ({
    key: hex(c.key),
    nonce: hex(c.nonce),
    ad: hex(c.ad),
    plaintext: hex(c.plaintext),
    box: hex(new Uint8Array([...c.nonce, ...sealWithNonce(c.key, c.nonce, c.plaintext, c.ad)])),
  })),
});

const master = decodeMasterKey(pattern(11, 96));
const meta = {
  repository: hex(pattern(12, 32)),
  name: 'clerk',
  role: 'owner',
  host: 'parish-laptop',
  user: 'clerk',
  created: '2026-11-23T18:00:00.000Z',
};
const keyPassword = 'correct horse battery staple';
const keyFile = await createKeyFile(
  master,
  meta,
  keyPassword,
  { algorithm: 'argon2id', memoryKiB: 64, passes: 1, parallelism: 1, salt: pattern(13, 16) },
  { wrap: pattern(14, 24), meta: pattern(15, 24) },
);
write('key-file.json', {
  description: 'a key file (docs/format.md 4.2) and what it opens to',
  password: keyPassword,
  keyFile: new TextDecoder().decode(keyFile),
  keyFileSha256: createHash('sha256').update(keyFile).digest('hex'),
  masterKey: hex(encodeMasterKey(master)),
  meta,
});

const text = utf8('Minutes of the meeting of Little Snoring Parish Council. '.repeat(40));
const raw = pattern(16, 200);
const blobs = [
  { plaintext: text, compression: 'zstd', nonce: pattern(17, 24) },
  { plaintext: raw, compression: 'none', nonce: pattern(18, 24) },
];
const sealed = blobs.map((b) =>
  sealBlob(master, 'data', b.plaintext, { compression: b.compression, nonce: b.nonce }),
);
write('blob.json', {
  description:
    'data blobs under the master key above (key-file.json masterKey): id = HMAC-SHA-256(content-id key, plaintext)',
  masterKey: hex(encodeMasterKey(master)),
  cases: blobs.map((b, i) => ({
    type: 'data',
    plaintext: hex(b.plaintext),
    compression: b.compression,
    nonce: hex(b.nonce),
    id: sealed[i].id,
    box: hex(sealed[i].box),
  })),
});

const treeJson = utf8('{"nodes":[]}');
const packBlobs = [sealed[0], sealBlob(master, 'tree', treeJson, { nonce: pattern(19, 24) })];
const pack = assemblePack(master, packBlobs, { headerNonce: pattern(20, 24) });
write('pack.json', {
  description:
    'a pack of one data blob (blob.json case 0) and one tree blob, header nonce fixed (docs/format.md 6)',
  masterKey: hex(encodeMasterKey(master)),
  blobs: [
    { type: 'data', plaintext: hex(text), compression: 'zstd', nonce: hex(pattern(17, 24)) },
    { type: 'tree', plaintext: hex(treeJson), compression: 'none', nonce: hex(pattern(19, 24)) },
  ],
  headerNonce: hex(pattern(20, 24)),
  entries: pack.entries,
  id: pack.id,
  pack: hex(pack.bytes),
});

const recovery = [pattern(21, 20), new Uint8Array(20), new Uint8Array(20).fill(255)].map((bytes) => {
  const normalized = generateRecoveryKey(bytes);
  return { bytes: hex(bytes), normalized, printed: formatRecoveryKey(normalized) };
});
write('recovery-key.json', { description: 'recovery keys (docs/format.md 4.3)', cases: recovery });
void fromHex;
