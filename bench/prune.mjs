// Prune memory benchmark: `node bench/run.mjs prune [--blobs 1000000] [--keep]`.
//
// The target: prune of a repository with 1 million blobs stays below 500 MiB RSS. Such a
// repository holds about a terabyte when written by backups of ordinary files; this benchmark builds
// one with the same structure in a few hundred MiB instead, through coffer's own library (dist/):
// 1 million distinct tiny data blobs, sealed and packed about 20 to a pack (as 1 MiB chunks in 16 MiB
// packs would be), an index file every 8 packs (as backup writes them), and the trees of 5 snapshots of
// a folder of 400 000 two-chunk files in 400 folders, each snapshot after the first rewriting every 4th
// file of a quarter of the folders. Everything is real: sealed blobs, real packs with encrypted
// headers, real index files and trees; only the fsync of each write is skipped while building.
//
// Then, each command under GNU time (wall seconds, peak RSS, CPU; key derivation included, with the
// default Argon2id cost, as a user waits for it):
//   1. `coffer forget --keep-last 3` (not a memory target; it makes the base versions of the files the
//      first two snapshots rewrote unused: 10% of the blobs, in partly used packs);
//   2. `coffer prune --dry-run` (the survey alone: index, trees, pack listing);
//   3. `coffer prune` (survey, repacking of partly used packs, the new index, deletions);
//   4. `coffer check` (afterwards, to show the pruned repository is sound).
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { dirStats, ensureGnuTime, measure, table } from './lib/measure.mjs';
import { BENCH_DATA, COFFER_CLI, MiB, removeStaleRuns, ROOT } from './lib/workspace.mjs';

const dist = (path) => import(join(ROOT, 'dist', 'src', path));
const { BlobWriter, encodeSnapshot, encodeTree, initRepository, MasterIndex, saveObject, sealBlob } =
  await dist('repository/index.js');
const { LocalStorage } = await dist('storage/index.js');

const TARGET_RSS_MIB = 500;
const PASSWORD = 'bench-password-not-secret';
const FILES_PER_FOLDER = 1000;
const CHUNKS_PER_FILE = 2;
const SNAPSHOTS = 5;
/** About 20 tiny blobs to a pack, the ratio of 1 MiB chunks in 16 MiB packs. */
const PACK_BYTES = 20 * 80;

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: { blobs: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } },
});
const blobs = Number(values.blobs);
if (!Number.isInteger(blobs) || blobs < 100_000 || blobs % 100_000 !== 0) {
  console.error('usage: node bench/run.mjs prune [--blobs 1000000 (a multiple of 100000)] [--keep]');
  process.exit(2);
}
ensureGnuTime();
removeStaleRuns();
const runDir = join(BENCH_DATA, `run-${process.pid}`);
const repoDir = join(runDir, 'repo');
mkdirSync(runDir, { recursive: true });

try {
  const built = await buildRepository(repoDir, blobs);
  const stats = dirStats(repoDir);
  console.log(
    `repository: ${built.dataBlobs} data blobs and ${built.treeBlobs} tree blobs in ${built.packs} packs, ` +
      `${built.indexFiles} index files, ${SNAPSHOTS} snapshots; ${(stats.bytes / MiB).toFixed(0)} MiB in ` +
      `${stats.files} files; built in ${built.seconds.toFixed(1)} s`,
  );
  const env = { ...process.env, COFFER_PASSWORD: PASSWORD, NO_COLOR: '1' };
  delete env.COFFER_REPOSITORY;
  delete env.COFFER_PASSWORD_FILE;
  const coffer = (...args) => measure(process.execPath, [COFFER_CLI, ...args, '-r', repoDir], { env });
  const steps = [
    ['forget --keep-last 3', coffer('forget', '--keep-last', '3')],
    ['prune --dry-run', coffer('prune', '--dry-run', '--json')],
    ['prune', coffer('prune', '--json')],
    ['check', coffer('check')],
  ];
  for (const [name, r] of steps) {
    if (r.code !== 0) {
      console.error(`bench/prune: coffer ${name} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
      process.exit(1);
    }
  }
  const plan = JSON.parse(steps[2][1].stdout);
  console.log(
    `prune: ${plan.snapshots} snapshots use ${(plan.usedBytes / MiB).toFixed(1)} MiB, ` +
      `${(plan.unusedBytes / MiB).toFixed(1)} MiB unused; deleted ${plan.deletePacks} packs, repacked ` +
      `${plan.repackPacks} into ${plan.packsWritten}; ${plan.indexFiles} index files became ` +
      `${dirStats(join(repoDir, 'index')).files}`,
  );
  console.log('');
  table([
    ['step', 'seconds', 'peak RSS', 'CPU cores', `below ${TARGET_RSS_MIB} MiB`],
    ...steps.map(([name, r]) => [
      `coffer ${name}`,
      r.wallSeconds.toFixed(1),
      `${r.peakRssMiB.toFixed(0)} MiB`,
      ((r.userSeconds + r.sysSeconds) / Math.max(r.wallSeconds, 0.01)).toFixed(2),
      name.startsWith('prune') ? (r.peakRssMiB < TARGET_RSS_MIB ? 'yes' : 'NO') : '',
    ]),
  ]);
  const pruneRss = steps[2][1].peakRssMiB;
  console.log(
    `\ntarget: prune of ${blobs} blobs below ${TARGET_RSS_MIB} MiB peak RSS: ` +
      `${pruneRss < TARGET_RSS_MIB ? 'met' : 'NOT met'} (${pruneRss.toFixed(0)} MiB)`,
  );
} finally {
  if (values.keep) console.log(`kept: ${runDir}`);
  else rmSync(runDir, { recursive: true, force: true });
}

/**
 * Writes the repository: init (default key cost), then every blob through BlobWriter, snapshot by
 * snapshot. Data blobs are 32 bytes: a counter and a fixed pattern, distinct and deterministic.
 */
async function buildRepository(dir, totalBlobs) {
  const started = Date.now();
  const storage = new LocalStorage(dir);
  const repo = await initRepository(storage, { password: PASSWORD, holder: { name: 'bench' } });
  const fast = unsyncedWrites(storage, dir);
  const ctx = { storage: fast, master: repo.master };
  // Many small writes in flight: the writes, not the sealing, are what building waits for.
  const writer = new BlobWriter(ctx, new MasterIndex(), {
    packSize: PACK_BYTES,
    maxBlobSize: 64 * 1024,
    maxUploads: 16,
  });

  // Base files: blobs = CHUNKS_PER_FILE * (files + (SNAPSHOTS - 1) * files / 16).
  const files = (totalBlobs / CHUNKS_PER_FILE) * (16 / (16 + SNAPSHOTS - 1));
  const folders = files / FILES_PER_FOLDER;
  const perSnapshot = folders / (SNAPSHOTS - 1);
  let counter = 0;
  let treeBlobs = 0;
  const newFile = async () => {
    const content = [];
    const hash = createHash('sha256');
    for (let c = 0; c < CHUNKS_PER_FILE; c++) {
      const plain = Buffer.alloc(32, 0x5a);
      plain.writeUInt32BE(counter++, 0);
      const blob = sealBlob(repo.master, 'data', plain, { compression: 'none' });
      await writer.add(blob);
      content.push(blob.id);
      hash.update(plain);
    }
    return { content, sha256: hash.digest('hex'), size: 32 * CHUNKS_PER_FILE };
  };
  const addTree = async (nodes) => {
    const blob = sealBlob(repo.master, 'tree', encodeTree({ nodes }), { compression: 'zstd' });
    if (await writer.add(blob)) treeBlobs++;
    return blob.id;
  };
  const name = (prefix, n) => new TextEncoder().encode(`${prefix}${String(n).padStart(6, '0')}`);
  const mtime = '2026-01-05T02:00:00.000000000Z';

  /** folder -> its files (content, sha256, size), and folder -> its tree id. */
  const state = [];
  const trees = [];
  for (let s = 0; s < SNAPSHOTS; s++) {
    const changed = [];
    if (s === 0) {
      for (let f = 0; f < folders; f++) {
        const entries = [];
        for (let i = 0; i < FILES_PER_FOLDER; i++) entries.push(await newFile());
        state.push(entries);
        changed.push(f);
      }
    } else {
      for (let f = (s - 1) * perSnapshot; f < s * perSnapshot; f++) {
        for (let i = 0; i < FILES_PER_FOLDER; i += 4) state[f][i] = await newFile();
        changed.push(f);
      }
    }
    for (const f of changed) {
      trees[f] = await addTree(
        state[f].map((file, i) => ({ name: name('file-', i), type: 'file', mode: 0o644, mtime, ...file })),
      );
    }
    const root = await addTree(
      trees.map((subtree, f) => ({ name: name('folder-', f), type: 'dir', mode: 0o755, mtime, subtree })),
    );
    await saveObject(
      ctx,
      'snapshot',
      encodeSnapshot({
        version: 1,
        time: new Date(Date.UTC(2026, 0, 5 + 7 * s, 2)).toISOString(),
        tree: root,
        paths: ['/srv/council'],
        host: 'bench',
        user: 'bench',
        tags: [],
        program: 'coffer bench/prune.mjs',
      }),
    );
  }
  const indexFiles = await writer.flush();
  return {
    dataBlobs: counter,
    treeBlobs,
    packs: writer.stats.packs,
    indexFiles: indexFiles.length,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * The repository folder, but writing objects without fsync (they are the same files LocalStorage
 * writes; building a benchmark repository need not survive a power cut).
 */
function unsyncedWrites(storage, root) {
  return {
    location: storage.location,
    get: (key, opts) => storage.get(key, opts),
    stat: (key, opts) => storage.stat(key, opts),
    list: (prefix, opts) => storage.list(prefix, opts),
    delete: (key, opts) => storage.delete(key, opts),
    async put(key, body) {
      const file = join(root, ...key.split('/'));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
    },
  };
}
