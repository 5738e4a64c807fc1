// Decoded trees by id, kept in a bounded cache: snapshots share most of their trees, so browsing many
// snapshots loads each distinct tree once.

import type { BlobReader } from './blob-reader.js';
import type { Tree } from './tree.js';
import { loadTree } from './tree-walker.js';

export class TreeCache {
  readonly #reader: BlobReader;
  readonly #limit: number;
  readonly #trees = new Map<string, Promise<Tree>>();

  constructor(reader: BlobReader, limit = 20_000) {
    this.#reader = reader;
    this.#limit = limit;
  }

  get(id: string): Promise<Tree> {
    let tree = this.#trees.get(id);
    if (tree) {
      // Refresh its place: a Map iterates in insertion order, so the first key is the least recently used.
      this.#trees.delete(id);
    } else {
      tree = loadTree(this.#reader, id);
      tree.catch(() => this.#trees.delete(id));
    }
    this.#trees.set(id, tree);
    if (this.#trees.size > this.#limit) this.#trees.delete(this.#trees.keys().next().value!);
    return tree;
  }
}
