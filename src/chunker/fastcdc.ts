// FastCDC (Xia et al., 2016) with normalized chunking, level 2, over a keyed gear table: a chunk ends
// where the bytes just before it say so, so an edit moves only the boundaries next to it and
// identical content in two files is cut into identical chunks. Exact rules: docs/format.md 8.

export interface ChunkerOptions {
  /** No chunk but the last of a stream is shorter. At least 64. */
  readonly minSize: number;
  /** A power of two: the size the masks aim at. */
  readonly avgSize: number;
  /** Every chunk is cut here at the latest. At most 1 GiB. */
  readonly maxSize: number;
}

/**
 * The gear hash `h = ((h << 1) + gear[byte]) >>> 0` shifts each byte's contribution one bit up per
 * step, so after 32 steps it is gone: the hash at any position is a function of the last 32 bytes
 * alone, and bit k of it of the last k + 1. That is why the masks test high bits.
 */
export const WINDOW = 32;

export const CHUNKER_LIMITS = { minSize: 64, maxSize: 2 ** 30 } as const;

/** Throws a TypeError unless minSize < avgSize < maxSize are integers in range and avgSize is a power of two. */
export function validateChunkerOptions(opts: ChunkerOptions): void {
  const { minSize, avgSize, maxSize } = opts;
  const bad = (why: string): never => {
    throw new TypeError(`chunker options ${minSize}/${avgSize}/${maxSize}: ${why}`);
  };
  for (const n of [minSize, avgSize, maxSize]) {
    if (!Number.isSafeInteger(n)) bad('sizes must be integers');
  }
  if (minSize < CHUNKER_LIMITS.minSize) bad(`minSize must be at least ${CHUNKER_LIMITS.minSize}`);
  if (maxSize > CHUNKER_LIMITS.maxSize) bad(`maxSize must be at most ${CHUNKER_LIMITS.maxSize}`);
  if (!(minSize < avgSize && avgSize < maxSize)) bad('need minSize < avgSize < maxSize');
  if ((avgSize & (avgSize - 1)) !== 0) bad('avgSize must be a power of two');
}

/** The top `bits` bits of a u32 set: `(h & mask) === 0` has probability 2^-bits on random data. */
function topBits(bits: number): number {
  return (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * Finds chunk boundaries in a stream handed over in pieces; keeps only the current chunk's length
 * and hash between calls. For a chunk starting at stream offset s, with h(L) the gear hash of the
 * 32 bytes ending at s + L - 1, the chunk's length is the least L with
 *   minSize <= L <= avgSize and (h(L) & maskS) === 0, or
 *   avgSize < L < maxSize  and (h(L) & maskL) === 0,
 * else maxSize (or whatever is left at the end of the stream).
 * maskS has the top log2(avgSize) + 2 bits set, maskL the top log2(avgSize) - 2.
 *
 * Cut-point skipping: the first minSize - 32 bytes of a chunk are not hashed at all; the next 31
 * only warm the hash up. Since h(L) depends on 32 bytes only, and those lie inside the chunk
 * (minSize >= 64), the boundaries are exactly those of hashing every byte: skipping saves time
 * and changes nothing.
 */
export class FastCdc {
  readonly #gear: Uint32Array;
  readonly #minSize: number;
  readonly #avgSize: number;
  readonly #maxSize: number;
  readonly #maskS: number;
  readonly #maskL: number;
  /** Bytes of the current chunk already seen by next(). */
  #length = 0;
  #hash = 0;

  constructor(gear: Uint32Array, opts: ChunkerOptions) {
    if (gear.length !== 256)
      throw new TypeError(`FastCdc: the gear table needs 256 entries, got ${gear.length}`);
    validateChunkerOptions(opts);
    this.#gear = gear;
    this.#minSize = opts.minSize;
    this.#avgSize = opts.avgSize;
    this.#maxSize = opts.maxSize;
    const log2 = 31 - Math.clz32(opts.avgSize);
    this.#maskS = topBits(log2 + 2);
    this.#maskL = topBits(log2 - 2);
  }

  /**
   * Scans buf[start, end), which continues the stream where the last call stopped. Returns the
   * offset in buf just past the current chunk's last byte (the next chunk starts there, and the
   * caller calls again from it), or -1 when the chunk goes on past `end`.
   */
  next(buf: Uint8Array, start: number, end: number): number {
    const gear = this.#gear;
    // Where the current chunk starts, in buf's coordinates (negative when it began in an earlier buffer).
    const chunkStart = start - this.#length;
    let h = this.#hash;
    let i = Math.max(start, chunkStart + this.#minSize - WINDOW);

    // In the loops, i < end <= buf.length and a byte indexes 256 entries: the `!`s are true, and
    // unlike `?? 0` they add no code to the loop that all of chunking's time is spent in.
    let stop = Math.min(end, chunkStart + this.#minSize - 1);
    for (; i < stop; i++) h = ((h << 1) + gear[buf[i]!]!) >>> 0;

    const maskS = this.#maskS;
    stop = Math.min(end, chunkStart + this.#avgSize);
    for (; i < stop; i++) {
      h = ((h << 1) + gear[buf[i]!]!) >>> 0;
      if ((h & maskS) === 0) return this.#cut(i + 1);
    }

    const maskL = this.#maskL;
    stop = Math.min(end, chunkStart + this.#maxSize - 1);
    for (; i < stop; i++) {
      h = ((h << 1) + gear[buf[i]!]!) >>> 0;
      if ((h & maskL) === 0) return this.#cut(i + 1);
    }

    if (end >= chunkStart + this.#maxSize) return this.#cut(chunkStart + this.#maxSize);
    this.#length = end - chunkStart;
    this.#hash = h;
    return -1;
  }

  /** Forgets the current chunk: the next call starts a new stream. */
  reset(): void {
    this.#length = 0;
    this.#hash = 0;
  }

  #cut(offset: number): number {
    this.reset();
    return offset;
  }
}

/**
 * Splits a buffer held whole in memory. The chunks are views into `buf` (no copies): keep `buf`
 * unchanged for as long as they are used.
 */
export function chunkBuffer(buf: Uint8Array, gear: Uint32Array, opts: ChunkerOptions): Uint8Array[] {
  const cdc = new FastCdc(gear, opts);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < buf.length;) {
    const cut = cdc.next(buf, start, buf.length);
    const end = cut < 0 ? buf.length : cut;
    chunks.push(buf.subarray(start, end));
    start = end;
  }
  return chunks;
}

/** Where chunkStream puts its output and its carried bytes, for callers that reuse memory. */
export interface ChunkBuffers {
  /**
   * Returns a Uint8Array of exactly `size` bytes for the next chunk, which the consumer then owns (a view
   * of a pooled buffer, say). By default a new Uint8Array.
   */
  readonly alloc?: (size: number) => Uint8Array;
  /**
   * A buffer for the bytes of a chunk that spans input buffers (used from its start; grown by replacing it
   * if a chunk needs more). Passing one buffer of maxSize bytes to every stream saves allocating it per file.
   */
  readonly carry?: Uint8Array;
}

/**
 * Splits a stream of buffers of any sizes into chunks, in order; their concatenation is the input.
 * Each chunk is a Uint8Array of its own (from `buffers.alloc`), exactly its size: the consumer may keep it,
 * and it does not pin a large input buffer in memory. The input buffers are never referenced after the
 * source is asked for the next one, so a source may refill one buffer over and over. Memory: the
 * current input buffer plus the bytes of the current chunk from earlier buffers (< maxSize).
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  gear: Uint32Array,
  opts: ChunkerOptions,
  buffers: ChunkBuffers = {},
): AsyncGenerator<Uint8Array> {
  const cdc = new FastCdc(gear, opts);
  const carry = new Carry(opts.maxSize, buffers.carry);
  const alloc = buffers.alloc ?? ((size: number) => new Uint8Array(size));
  for await (const buf of source) {
    for (let start = 0; start < buf.length;) {
      const cut = cdc.next(buf, start, buf.length);
      if (cut < 0) {
        carry.append(buf.subarray(start));
        break;
      }
      yield carry.take(buf.subarray(start, cut), alloc);
      start = cut;
    }
  }
  if (carry.length > 0) yield carry.take(new Uint8Array(0), alloc);
}

/**
 * The current chunk's bytes from earlier input buffers, copied because the source may reuse them.
 * Its buffer is kept from chunk to chunk, so a long stream allocates it a few times at most.
 */
class Carry {
  #buf: Uint8Array;
  #length = 0;
  readonly #limit: number;

  constructor(limit: number, initial: Uint8Array = new Uint8Array(0)) {
    this.#limit = limit;
    this.#buf = initial;
  }

  get length(): number {
    return this.#length;
  }

  append(part: Uint8Array): void {
    const need = this.#length + part.length;
    if (need > this.#buf.length) {
      // Exact for the first piece: a small file, chunked in one piece, then costs one copy, not two.
      const size =
        this.#buf.length === 0 ? need : Math.min(this.#limit, Math.max(need, 2 * this.#buf.length));
      const grown = new Uint8Array(size);
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(part, this.#length);
    this.#length = need;
  }

  /** The carried bytes followed by `tail`, copied into a chunk from `alloc`. */
  take(tail: Uint8Array, alloc: (size: number) => Uint8Array): Uint8Array {
    const carried = this.#length;
    this.#length = 0;
    const out = alloc(carried + tail.length);
    if (out.length !== carried + tail.length)
      throw new RangeError('chunkStream: alloc returned the wrong size');
    out.set(this.#buf.subarray(0, carried));
    out.set(tail, carried);
    return out;
  }
}
