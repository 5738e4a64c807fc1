// Crypto layer: Argon2id key derivation, XChaCha20-Poly1305 boxes and keyed content ids, all libsodium-compatible.
export {
  AuthenticationError,
  KEY_BYTES,
  NONCE_BYTES,
  OVERHEAD,
  TAG_BYTES,
  open,
  openWithNonce,
  seal,
  sealParts,
  sealPartsInto,
  sealWithNonce,
} from './aead.js';
export { contentId, fromHex, sha256, toHex } from './content-id.js';
export { hchacha20 } from './hchacha20.js';
export {
  assertKdfParams,
  DEFAULT_KDF,
  deriveKey,
  deriveKeyLibsodium,
  deriveKeyNode,
  KDF_LIMITS,
  type KdfCost,
  type KdfParams,
  newKdfParams,
  TEST_KDF,
} from './kdf.js';
export { randomBytes } from './random.js';
