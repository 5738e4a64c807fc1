// Writing one file's content from a snapshot to a byte sink, checked against its recorded SHA-256.

import { createHash } from 'node:crypto';
import { CofferError } from '../errors.js';
import { readFileContent, type TreeNode } from '../repository/index.js';
import type { BrowseSession } from './session.js';

/** Where dumped bytes go: a node stream, or an archive entry (streams with the same two methods). */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

const drained = (out: ByteSink): Promise<void> => new Promise((resolve) => out.once('drain', resolve));

export class DumpVerificationError extends CofferError {
  readonly code = 'COFFER_E_VERIFY';
  readonly exitCode = 1;
}

/**
 * Writes the file's bytes as they are read, so memory does not grow with its size; returns how many. The
 * checksum can only be known at the end: on a mismatch the output is already written, so this throws and
 * the command fails rather than leave a damaged copy looking good. `chunks` is the file's content when the
 * caller has already begun reading it (see contentOf).
 */
export async function writeContent(
  session: BrowseSession,
  node: TreeNode,
  path: string,
  out: ByteSink,
  signal?: AbortSignal,
  chunks: AsyncIterable<Uint8Array> = contentOf(session, node, signal),
): Promise<number> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
    if (!out.write(chunk)) await drained(out);
  }
  if (hash.digest('hex') !== node.sha256) {
    throw new DumpVerificationError(
      `${path} did not match its recorded SHA-256: the output is damaged; try an older snapshot`,
    );
  }
  return bytes;
}

/** A file's content, one chunk at a time. */
export function contentOf(
  session: BrowseSession,
  node: TreeNode,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  return readFileContent(session.reader, node, signal ? { signal } : {});
}

/** Copies an archive's output stream to the sink without ever ending the sink (it may be standard output). */
export async function pumpInto(archive: AsyncIterable<Uint8Array>, out: ByteSink): Promise<void> {
  for await (const chunk of archive) if (!out.write(chunk)) await drained(out);
}

/** An entry's name inside an archive of `path`: relative to the folder that holds it, so it unpacks as itself. */
export function archiveName(path: string, entryPath: string): string {
  const base = path.split('/').filter(Boolean).slice(0, -1).join('/');
  return (base ? entryPath.slice(base.length + 2) : entryPath.slice(1)) || '.';
}
