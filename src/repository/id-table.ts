// Blob ids held compactly for indexes of millions of blobs: 32 bytes each in one growing buffer, found
// through an open-addressing hash table of entry numbers, instead of a 64-character string and a Map
// entry each (for a million ids about 45 MB rather than 200).

const ID_BYTES = 32;
const ID_WORDS = ID_BYTES / 4;

/**
 * An append-only list of ids (a number per entry, duplicates allowed) with a hash table that finds the
 * first entry of each id that was {@link index}ed. Ids come in as hex strings or raw bytes.
 */
export class IdTable {
  #bytes = newBuffer(0);
  #words = new Uint32Array(0);
  #count = 0;
  /** Entry number + 1 per slot; 0 is an empty slot. Kept at most half full. */
  #slots = new Int32Array(16);
  #indexed = 0;
  readonly #probe = newBuffer(ID_BYTES);
  readonly #probeWords = new Uint32Array(this.#probe.buffer, 0, ID_WORDS);

  /** Entries pushed, duplicates included. */
  get count(): number {
    return this.#count;
  }

  /** Distinct ids indexed. */
  get indexed(): number {
    return this.#indexed;
  }

  /** Appends an id given as 64 hex digits; returns its entry number. */
  push(hex: string): number {
    if (this.#probe.write(hex, 0, ID_BYTES, 'hex') !== ID_BYTES || hex.length !== 2 * ID_BYTES) {
      throw new TypeError(`not a blob id: ${JSON.stringify(hex.slice(0, 80))}`);
    }
    return this.pushBytes(this.#probe);
  }

  /** Appends an id given as its 32 bytes (copied); returns its entry number. */
  pushBytes(id: Uint8Array): number {
    if (this.#count * ID_BYTES === this.#bytes.length) this.#grow();
    this.#bytes.set(id.subarray(0, ID_BYTES), this.#count * ID_BYTES);
    return this.#count++;
  }

  /** Makes entry `n` findable unless an earlier entry has its id; returns the entry `find` now gives. */
  index(n: number): number {
    if (2 * (this.#indexed + 1) > this.#slots.length) this.#rehash(this.#slots.length * 2);
    const mask = this.#slots.length - 1;
    for (let slot = this.#words[n * ID_WORDS]! & mask; ; slot = (slot + 1) & mask) {
      const held = this.#slots[slot]!;
      if (held === 0) {
        this.#slots[slot] = n + 1;
        this.#indexed++;
        return n;
      }
      if (this.#sameIds(held - 1, n)) return held - 1;
    }
  }

  /** The first indexed entry with this id (64 hex digits), or -1. */
  find(hex: string): number {
    if (hex.length !== 2 * ID_BYTES || this.#probe.write(hex, 0, ID_BYTES, 'hex') !== ID_BYTES) return -1;
    const mask = this.#slots.length - 1;
    const probe = this.#probeWords;
    for (let slot = probe[0]! & mask; ; slot = (slot + 1) & mask) {
      const held = this.#slots[slot]!;
      if (held === 0) return -1;
      if (this.#matches(held - 1, probe)) return held - 1;
    }
  }

  /** The id of entry `n` as hex. */
  hex(n: number): string {
    return this.#bytes.toString('hex', n * ID_BYTES, (n + 1) * ID_BYTES);
  }

  #matches(n: number, probe: Uint32Array): boolean {
    const words = this.#words;
    const at = n * ID_WORDS;
    for (let i = 0; i < ID_WORDS; i++) if (words[at + i] !== probe[i]) return false;
    return true;
  }

  #sameIds(a: number, b: number): boolean {
    return this.#matches(a, this.#words.subarray(b * ID_WORDS, (b + 1) * ID_WORDS));
  }

  #grow(): void {
    const buffer = new ArrayBuffer(Math.max(1024 * ID_BYTES, this.#bytes.length * 2));
    const bytes = Buffer.from(buffer);
    bytes.set(this.#bytes);
    this.#bytes = bytes;
    this.#words = new Uint32Array(buffer);
  }

  #rehash(size: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(size);
    const mask = size - 1;
    for (const held of old) {
      if (held === 0) continue;
      let slot = this.#words[(held - 1) * ID_WORDS]! & mask;
      while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
      this.#slots[slot] = held;
    }
  }
}

/** A Buffer over its own ArrayBuffer, so a Uint32Array view of it is aligned (pooled Buffers may not be). */
function newBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}
