// Snapshots (docs/format.md 9.1): what was backed up, when, from where, and the root tree.

import { CorruptObjectError } from '../errors.js';
import { isRecord } from './config.js';
import { jsonBytes, parseJson } from './sealed.js';

export interface SnapshotSummary {
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnmodified: number;
  readonly dirsNew: number;
  readonly dirsChanged: number;
  readonly dirsUnmodified: number;
  readonly bytesRead: number;
  readonly bytesAdded: number;
  readonly bytesStored: number;
  readonly totalFiles: number;
  readonly totalBytes: number;
  readonly started: string;
  readonly finished: string;
}

export interface Snapshot {
  readonly version: 1;
  readonly time: string;
  readonly tree: string;
  readonly paths: readonly string[];
  readonly host: string;
  readonly user: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly tags: readonly string[];
  readonly parent?: string;
  readonly program: string;
  readonly summary?: SnapshotSummary;
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  return jsonBytes(s);
}

export function decodeSnapshot(bytes: Uint8Array, what: string): Snapshot {
  const v = parseJson(bytes, what);
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (
    !isRecord(v) ||
    v.version !== 1 ||
    typeof v.time !== 'string' ||
    typeof v.tree !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.tree) ||
    !strings(v.paths) ||
    typeof v.host !== 'string' ||
    !strings(v.tags ?? [])
  ) {
    throw new CorruptObjectError(`${what} is damaged: its fields are missing or malformed`);
  }
  return { ...(v as unknown as Snapshot), tags: (v.tags as string[] | undefined) ?? [] };
}
