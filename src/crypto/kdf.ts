// Password -> key with Argon2id (RFC 9106). Node >= 24.7 has it natively (off the main thread);
// older Nodes fall back to libsodium's WASM build, which gives the same bytes.
import * as nodeCrypto from 'node:crypto';
import { randomBytes } from './random.js';

export interface KdfParams {
  readonly algorithm: 'argon2id';
  readonly memoryKiB: number;
  readonly passes: number;
  /** libsodium's crypto_pwhash only does one lane, and both paths must agree. */
  readonly parallelism: 1;
  readonly salt: Uint8Array;
}

export interface KdfCost {
  readonly memoryKiB: number;
  readonly passes: number;
}

/**
 * RFC 9106's second recommended option (64 MiB, 3 passes): every command pays it once when it
 * opens the repository. Measured on our 2-core AMD EPYC dev machine, Node 24.21, 5 runs each,
 * min/median ms (node crypto.argon2 | libsodium-wrappers-sumo 0.8.4):
 *   19 MiB t=2:  39/43   | 35/48       64 MiB t=2: 170/205  | 142/145
 *   46 MiB t=1:  68/79   | 41/58       64 MiB t=3: 218/277  | 229/261   <- chosen
 *   96 MiB t=3: 302/425  | 287/385    128 MiB t=2: 349/403  | 286/373
 *  128 MiB t=3: 590/602  | 483/566    256 MiB t=3: 954/1171 | 870/1085
 */
export const DEFAULT_KDF: KdfCost = Object.freeze({ memoryKiB: 64 * 1024, passes: 3 });

/** INSECURE: near-free parameters so unit tests can open repositories quickly. Never for real keys. */
export const TEST_KDF: KdfCost = Object.freeze({ memoryKiB: 64, passes: 1 });

/**
 * Bounds checked before deriving. The minimum is Argon2's own (8 blocks a lane); the maximums stop
 * a damaged or hostile key file from asking for hours of work or more memory than a laptop has.
 */
export const KDF_LIMITS = Object.freeze({
  minMemoryKiB: 8,
  maxMemoryKiB: 4 * 1024 * 1024,
  minPasses: 1,
  maxPasses: 1000,
  saltBytes: 16,
  minKeyBytes: 16,
  maxKeyBytes: 1024,
});

/** libsodium.js (WASM32) rejects memlimit >= 2^31 bytes, so its path stops just below 2 GiB. */
const LIBSODIUM_MAX_MEMORY_KIB = 2 * 1024 * 1024 - 1;

function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Throws TypeError unless `params` (and the output length) are valid Argon2id parameters for coffer. */
export function assertKdfParams(params: KdfParams, length = 32): void {
  const L = KDF_LIMITS;
  if (params.algorithm !== 'argon2id')
    throw new TypeError(`kdf: unsupported algorithm ${String(params.algorithm)}`);
  if (params.parallelism !== 1) throw new TypeError('kdf: parallelism must be 1');
  if (!isIntIn(params.memoryKiB, L.minMemoryKiB, L.maxMemoryKiB)) {
    throw new TypeError(`kdf: memoryKiB must be an integer from ${L.minMemoryKiB} to ${L.maxMemoryKiB}`);
  }
  if (!isIntIn(params.passes, L.minPasses, L.maxPasses)) {
    throw new TypeError(`kdf: passes must be an integer from ${L.minPasses} to ${L.maxPasses}`);
  }
  if (!(params.salt instanceof Uint8Array) || params.salt.length !== L.saltBytes) {
    throw new TypeError(`kdf: salt must be ${L.saltBytes} bytes`);
  }
  if (!isIntIn(length, L.minKeyBytes, L.maxKeyBytes)) {
    throw new TypeError(`kdf: key length must be an integer from ${L.minKeyBytes} to ${L.maxKeyBytes}`);
  }
}

/** Fresh parameters with a random salt: DEFAULT_KDF unless `overrides` says otherwise. */
export function newKdfParams(overrides?: Partial<KdfCost>): KdfParams {
  const params: KdfParams = {
    algorithm: 'argon2id',
    memoryKiB: overrides?.memoryKiB ?? DEFAULT_KDF.memoryKiB,
    passes: overrides?.passes ?? DEFAULT_KDF.passes,
    parallelism: 1,
    salt: randomBytes(KDF_LIMITS.saltBytes),
  };
  assertKdfParams(params);
  return params;
}

/** Argon2id(password, params) -> `length` bytes, natively when this Node has crypto.argon2. */
export function deriveKey(password: Uint8Array, params: KdfParams, length = 32): Promise<Uint8Array> {
  return hasNodeArgon2()
    ? deriveKeyNode(password, params, length)
    : deriveKeyLibsodium(password, params, length);
}

function hasNodeArgon2(): boolean {
  // A namespace import, not `import { argon2 }`: on Node < 24.7 the named import would fail to link.
  return typeof nodeCrypto.argon2 === 'function';
}

/** The node:crypto path (Node >= 24.7). Runs on the libuv thread pool, so it does not block the event loop. */
export async function deriveKeyNode(
  password: Uint8Array,
  params: KdfParams,
  length = 32,
): Promise<Uint8Array> {
  assertKdfParams(params, length);
  if (!hasNodeArgon2()) throw new Error(`kdf: this Node (${process.version}) has no crypto.argon2`);
  const derived = await new Promise<Buffer>((resolve, reject) => {
    nodeCrypto.argon2(
      'argon2id',
      {
        message: password,
        nonce: params.salt,
        parallelism: params.parallelism,
        tagLength: length,
        memory: params.memoryKiB,
        passes: params.passes,
      },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
  const out = new Uint8Array(derived);
  derived.fill(0);
  return out;
}

/** The libsodium-wrappers-sumo path: same bytes, but synchronous WASM on the calling thread. */
export async function deriveKeyLibsodium(
  password: Uint8Array,
  params: KdfParams,
  length = 32,
): Promise<Uint8Array> {
  assertKdfParams(params, length);
  if (params.memoryKiB > LIBSODIUM_MAX_MEMORY_KIB) {
    throw new RangeError(`kdf: libsodium.js cannot use ${params.memoryKiB} KiB; it stops below 2 GiB`);
  }
  // Loaded on first use: the WASM module costs start-up time that the native path never needs.
  const { default: sodium } = await import('libsodium-wrappers-sumo');
  await sodium.ready;
  return sodium.crypto_pwhash(
    length,
    password,
    params.salt,
    params.passes,
    params.memoryKiB * 1024,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
}
