// Trees (docs/format.md 9.2): one directory's listing as a JSON blob; names are raw bytes so any name round-trips.

import { CorruptObjectError } from '../errors.js';
import { isRecord } from './config.js';
import { jsonBytes, parseJson } from './sealed.js';

export type NodeType = 'file' | 'dir' | 'symlink';

export interface TreeNode {
  /** The entry's name as raw bytes (file names need not be UTF-8). */
  readonly name: Uint8Array;
  readonly type: NodeType;
  readonly mode: number;
  /** RFC 3339 with up to nine fractional digits. */
  readonly mtime: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly size?: number;
  readonly sha256?: string;
  readonly content?: readonly string[];
  readonly subtree?: string;
  readonly target?: Uint8Array;
  /** Change detection only (not needed to restore). */
  readonly inode?: string;
  readonly ctime?: string;
}

export interface Tree {
  readonly nodes: readonly TreeNode[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export function compareNames(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Encodes a tree, sorting nodes by name bytes so equal directories give equal blobs (and dedupe). */
export function encodeTree(tree: Tree): Uint8Array {
  const nodes = [...tree.nodes].sort((a, b) => compareNames(a.name, b.name));
  return jsonBytes({ nodes: nodes.map(nodeToJson) });
}

export function decodeTree(bytes: Uint8Array, what: string): Tree {
  const v = parseJson(bytes, what);
  if (!isRecord(v) || !Array.isArray(v.nodes))
    throw new CorruptObjectError(`${what} is damaged: it has no node list`);
  const nodes = v.nodes.map((n) => nodeFromJson(n, what));
  for (let i = 1; i < nodes.length; i++) {
    if (compareNames(nodes[i - 1]!.name, nodes[i]!.name) >= 0) {
      throw new CorruptObjectError(
        `${what} is damaged: its entries are not in order or a name appears twice`,
      );
    }
  }
  return { nodes };
}

/** Refuses names that could escape a restore target or confuse a reader. */
export function checkName(name: Uint8Array, what: string): void {
  const bad =
    name.length === 0 ||
    name.includes(0x2f) ||
    name.includes(0) ||
    (name.length === 1 && name[0] === 0x2e) ||
    (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e);
  if (bad) {
    throw new CorruptObjectError(
      `${what} holds an unsafe entry name ${JSON.stringify(Buffer.from(name).toString('latin1'))}`,
    );
  }
}

export function nameText(name: Uint8Array): string {
  try {
    return utf8.decode(name);
  } catch {
    return Buffer.from(name).toString('latin1');
  }
}

function bytesField(key: string, bytes: Uint8Array): Record<string, string> {
  try {
    const text = utf8.decode(bytes);
    // Only names that survive a round trip are stored as text; anything else keeps its exact bytes.
    if (Buffer.compare(encoder.encode(text), bytes) === 0) return { [key]: text };
  } catch {
    // not UTF-8
  }
  return { [`${key}Bytes`]: Buffer.from(bytes).toString('base64') };
}

function nodeToJson(n: TreeNode): Record<string, unknown> {
  checkName(n.name, 'a tree being written');
  const { name, target, ...rest } = n;
  return { ...bytesField('name', name), ...rest, ...(target ? bytesField('target', target) : {}) };
}

function bytesFrom(v: Record<string, unknown>, key: string, what: string): Uint8Array | undefined {
  if (v[key] !== undefined && v[`${key}Bytes`] !== undefined) {
    throw new CorruptObjectError(`${what} is damaged: a node has both ${key} and ${key}Bytes`);
  }
  if (typeof v[key] === 'string') return encoder.encode(v[key]);
  const b64 = v[`${key}Bytes`];
  if (typeof b64 === 'string') return new Uint8Array(Buffer.from(b64, 'base64'));
  if (key === 'name') throw new CorruptObjectError(`${what} is damaged: a node has no name`);
  return undefined;
}

function nodeFromJson(v: unknown, what: string): TreeNode {
  if (!isRecord(v)) throw new CorruptObjectError(`${what} is damaged: a node is not an object`);
  const name = bytesFrom(v, 'name', what)!;
  checkName(name, what);
  const type = v.type;
  if (type !== 'file' && type !== 'dir' && type !== 'symlink') {
    throw new CorruptObjectError(`${what} is damaged: a node has unknown type ${String(type)}`);
  }
  if (typeof v.mode !== 'number' || typeof v.mtime !== 'string') {
    throw new CorruptObjectError(`${what} is damaged: a node lacks its mode or time`);
  }
  const ids = (x: unknown): x is string[] =>
    Array.isArray(x) && x.every((s) => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s));
  if (type === 'file' && (typeof v.size !== 'number' || typeof v.sha256 !== 'string' || !ids(v.content))) {
    throw new CorruptObjectError(`${what} is damaged: a file node lacks its size, checksum or content`);
  }
  if (type === 'dir' && (typeof v.subtree !== 'string' || !/^[0-9a-f]{64}$/.test(v.subtree))) {
    throw new CorruptObjectError(`${what} is damaged: a directory node lacks its subtree`);
  }
  const target = bytesFrom(v, 'target', what);
  if (type === 'symlink' && !target)
    throw new CorruptObjectError(`${what} is damaged: a symlink lacks its target`);
  const opt = <K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, T>);
  return {
    name,
    type,
    mode: v.mode,
    mtime: v.mtime,
    ...opt('uid', typeof v.uid === 'number' ? v.uid : undefined),
    ...opt('gid', typeof v.gid === 'number' ? v.gid : undefined),
    ...opt('size', typeof v.size === 'number' ? v.size : undefined),
    ...opt('sha256', typeof v.sha256 === 'string' ? v.sha256 : undefined),
    ...opt('content', ids(v.content) ? v.content : undefined),
    ...opt('subtree', typeof v.subtree === 'string' ? v.subtree : undefined),
    ...opt('target', target),
    ...opt('inode', typeof v.inode === 'string' ? v.inode : undefined),
    ...opt('ctime', typeof v.ctime === 'string' ? v.ctime : undefined),
  };
}

/** Nanoseconds since the epoch as RFC 3339 with nine fractional digits, exact (no float rounding). */
export function nsToIso(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const base = new Date(Number(ms)).toISOString(); // ...:SS.mmmZ
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return `${base.slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}

export function isoToNs(iso: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) throw new CorruptObjectError(`time ${iso} is not in RFC 3339 UTC form`);
  const seconds = BigInt(Date.parse(`${m[1]}Z`)) / 1000n;
  return seconds * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
