// Chunker throughput on this machine: chunkStream over 256 MiB of random data in 1 MiB input
// buffers with the repository's default sizes, and the boundary search alone for comparison.
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const chunker = await import('../dist/src/chunker/index.js').catch((err) => {
  console.error('bench/chunker: cannot load dist/src/chunker/index.js; run `npm run build` first.');
  throw err;
});
const { randomBytes } = await import('../dist/src/crypto/index.js');

const MiB = 1 << 20;
const TOTAL = 256 * MiB;
const INPUT = 1 * MiB;
const RUNS = 3;
// The defaults of src/repository/config.ts (DEFAULT_CHUNKER), written out: the bench needs only the chunker.
const OPTS = { minSize: 256 * 1024, avgSize: 1 * MiB, maxSize: 4 * MiB };

const gear = chunker.gearTable(randomBytes(32));
const data = randomBytes(TOTAL);
const inputs = [];
for (let off = 0; off < TOTAL; off += INPUT) inputs.push(data.subarray(off, off + INPUT));

async function* source() {
  yield* inputs;
}

/** chunkStream as the archiver uses it; the chunks go into a small ring that stays alive, as a consumer's would. */
async function streamRun() {
  const keep = new Array(8);
  let chunks = 0;
  let bytes = 0;
  for await (const chunk of chunker.chunkStream(source(), gear, OPTS)) {
    keep[chunks & 7] = chunk;
    chunks++;
    bytes += chunk.length;
  }
  if (bytes !== TOTAL) throw new Error(`chunkStream lost bytes: ${bytes} of ${TOTAL}`);
  return chunks;
}

/** FastCdc.next alone: no copies, no generator; the ceiling for chunkStream. */
function boundaryRun() {
  const cdc = new chunker.FastCdc(gear, OPTS);
  let chunks = 0;
  for (const buf of inputs) {
    for (let start = 0; start < buf.length;) {
      const cut = cdc.next(buf, start, buf.length);
      if (cut < 0) break;
      chunks++;
      start = cut;
    }
  }
  return chunks + 1;
}

async function seconds(fn) {
  const t0 = performance.now();
  const chunks = await fn();
  return { seconds: (performance.now() - t0) / 1000, chunks };
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`coffer chunker bench: Node ${process.version}, ${cpu}, ${os.availableParallelism()} cores`);
console.log(
  `${TOTAL / MiB} MiB random data in ${INPUT / MiB} MiB input buffers, sizes ` +
    `${OPTS.minSize / 1024} KiB / ${OPTS.avgSize / 1024} KiB / ${OPTS.maxSize / 1024} KiB, best of ${RUNS}\n`,
);
console.log(
  `| ${'what'.padEnd(36)} | ${'MB/s'.padStart(6)} | ${'chunks'.padStart(6)} | ${'avg KiB'.padStart(7)} |`,
);
console.log(`|${'-'.repeat(38)}|${'-'.repeat(8)}|${'-'.repeat(8)}|${'-'.repeat(9)}|`);

const rows = [
  { label: 'chunkStream (copies chunks out)', fn: streamRun, best: Infinity, chunks: 0 },
  { label: 'FastCdc.next (boundaries only)', fn: boundaryRun, best: Infinity, chunks: 0 },
];
// Interleaved rather than one row after the other, so a burst of load on this shared machine
// does not land on one row only.
for (let r = 0; r < RUNS; r++) {
  for (const row of rows) {
    const { seconds: s, chunks } = await seconds(row.fn);
    row.best = Math.min(row.best, s);
    row.chunks = chunks;
  }
}

for (const { label, best, chunks } of rows) {
  const mbps = TOTAL / 1e6 / best;
  const avgKiB = TOTAL / chunks / 1024;
  console.log(
    `| ${label.padEnd(36)} | ${mbps.toFixed(0).padStart(6)} | ${String(chunks).padStart(6)} | ${avgKiB.toFixed(0).padStart(7)} |`,
  );
}
