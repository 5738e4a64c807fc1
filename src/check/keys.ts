// Key files: each must match its SHA-256 name, parse, and carry metadata that this repository's master key
// opens and that names this repository. A key file from elsewhere locks out whoever relies on it.

import { AuthenticationError, open } from '../crypto/index.js';
import { AD, decodePayload, idFromKey, type MasterKey, parseKeyFile } from '../repository/index.js';
import type { Storage } from '../storage/index.js';
import { classify } from './failures.js';
import type { Findings } from './findings.js';
import type { CheckProgress } from './result.js';
import { nameMismatch } from './sealed-objects.js';

export interface KeyCheckContext {
  readonly storage: Storage;
  readonly master: MasterKey;
  /** The repository id from the config, which every key file's metadata must name. */
  readonly repositoryId: string;
  readonly findings: Findings;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CheckProgress) => void;
}

/** Checks every key file; returns how many there are. */
export async function checkKeys(ctx: KeyCheckContext): Promise<number> {
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const keys: string[] = [];
  for await (const { key } of ctx.storage.list('keys/', signal)) if (idFromKey('key', key)) keys.push(key);
  const ids = new Set(keys.map((k) => idFromKey('key', k)!));
  for (const [i, key] of keys.entries()) {
    const problem = await keyProblem(ctx, key, ids, signal);
    if (problem) ctx.findings.error(problem.kind, key, problem.message);
    ctx.onProgress?.({ phase: 'keys', done: i + 1, total: keys.length });
  }
  return keys.length;
}

type KeyProblem = { kind: 'key-damaged' | 'key-foreign' | 'read-failed'; message: string };

async function keyProblem(
  ctx: KeyCheckContext,
  key: string,
  ids: ReadonlySet<string>,
  signal: { signal?: AbortSignal },
): Promise<KeyProblem | undefined> {
  const id = idFromKey('key', key)!;
  let bytes: Uint8Array;
  try {
    bytes = await ctx.storage.get(key, signal);
  } catch (err) {
    const failure = classify(err, ctx.signal);
    if (failure.what === 'missing') return undefined; // removed by "key remove" while we looked
    return { kind: 'read-failed', message: `${key} could not be read: ${failure.message}` };
  }
  const mismatch = nameMismatch('key', id, bytes, ids);
  if (mismatch) return { kind: 'key-damaged', message: `key file ${key} is damaged: ${mismatch}` };
  let metaBox: Uint8Array;
  try {
    metaBox = parseKeyFile(bytes, key).meta;
  } catch (err) {
    return { kind: 'key-damaged', message: classify(err, ctx.signal).message };
  }
  let meta: unknown;
  try {
    meta = JSON.parse(
      new TextDecoder().decode(decodePayload(open(ctx.master.encryption, metaBox, AD.keyMeta), key)),
    );
  } catch (err) {
    if (err instanceof AuthenticationError) {
      // The bytes match the name, so nobody damaged them: another master key sealed this metadata.
      return {
        kind: 'key-foreign',
        message: `key file ${key} belongs to another repository: its holder's details cannot be opened with this repository's master key`,
      };
    }
    return {
      kind: 'key-damaged',
      message: `key file ${key} is damaged: its holder's details cannot be read`,
    };
  }
  const named =
    typeof meta === 'object' && meta !== null ? (meta as { repository?: unknown }).repository : undefined;
  if (named !== ctx.repositoryId) {
    return {
      kind: 'key-foreign',
      message: `key file ${key} belongs to another repository: it names repository ${String(named).slice(0, 12)}… instead of this one (${ctx.repositoryId.slice(0, 12)}…)`,
    };
  }
  return undefined;
}
