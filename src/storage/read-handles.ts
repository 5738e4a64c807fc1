// Open file descriptors kept for ranged reads: a restore reads many blobs from each pack, and opening,
// statting and closing the pack for every blob cost more than reading it. Objects are immutable, so a
// descriptor stays valid until the object is deleted (which closes it here first).

import { close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);
const readAsync = promisify(read);

interface Entry {
  readonly fd: Promise<{ fd: number; size: number }>;
  users: number;
}

export class ReadHandles {
  readonly #limit: number;
  readonly #entries = new Map<string, Entry>();

  constructor(limit = 16) {
    this.#limit = limit;
  }

  /** Runs `fn` with an open descriptor for `file` and its size. Errors of opening reach the caller. */
  async with<T>(file: string, fn: (fd: number, size: number) => Promise<T>): Promise<T> {
    let entry = this.#entries.get(file);
    if (entry) {
      this.#entries.delete(file); // most recently used goes last
    } else {
      const fd = (async () => {
        const fd = await openAsync(file, 'r');
        try {
          return { fd, size: (await fstatAsync(fd)).size };
        } catch (err) {
          await closeAsync(fd).catch(() => undefined);
          throw err;
        }
      })();
      entry = { fd, users: 0 };
      fd.catch(() => this.#entries.get(file) === entry && this.#entries.delete(file));
    }
    this.#entries.set(file, entry);
    entry.users++;
    try {
      const { fd, size } = await entry.fd;
      return await fn(fd, size);
    } finally {
      entry.users--;
      this.#evict();
    }
  }

  /** Reads into `out` at `offset` of the file (positional, so several reads may share a descriptor). */
  readInto(fd: number, out: Uint8Array, at: number, length: number, position: number): Promise<number> {
    return readAsync(fd, out, at, length, position).then((r) => r.bytesRead);
  }

  /** Closes the descriptor of a file that is being deleted or replaced. */
  async forget(file: string): Promise<void> {
    const entry = this.#entries.get(file);
    if (!entry) return;
    this.#entries.delete(file);
    const { fd } = await entry.fd.catch(() => ({ fd: -1 }));
    if (fd >= 0) await closeAsync(fd).catch(() => undefined);
  }

  #evict(): void {
    for (const [file, entry] of this.#entries) {
      if (this.#entries.size <= this.#limit) return;
      if (entry.users > 0) continue;
      this.#entries.delete(file);
      void entry.fd.then(({ fd }) => closeAsync(fd)).catch(() => undefined);
    }
  }
}
