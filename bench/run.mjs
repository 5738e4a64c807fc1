// Benchmark dispatcher: `node bench/run.mjs <name>` runs one benchmark from the registry below.
// Benchmarks import the compiled code from dist/, so build first (`npm run build`).

/** name -> [module beside this file, what it measures] */
const BENCHMARKS = {
  backup: [
    './backup.mjs',
    'seconds, peak RSS, repository size: restic vs coffer backups (first, unchanged, 2% change); [--scale 1.0]',
  ],
  chunker: ['./chunker.mjs', 'MB/s of FastCDC chunking over 256 MiB of random data'],
  crypto: [
    './crypto.mjs',
    'MB/s of AEAD, content ids and hashes on 1 MiB buffers; Argon2id ms at DEFAULT_KDF',
  ],
  prune: [
    './prune.mjs',
    'peak RSS and seconds of coffer prune on a repository of 1 million blobs (target: 500 MiB); [--blobs N]',
  ],
  restore: [
    './restore.mjs',
    'restic vs coffer: full restore, check --read-data, one file from 52 snapshots; [--scale 1.0]',
  ],
};

const name = process.argv[2];
const entry = name === undefined ? undefined : Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;

if (entry === undefined) {
  console.error(name === undefined ? 'usage: node bench/run.mjs <benchmark>' : `unknown benchmark: ${name}`);
  console.error('benchmarks:');
  for (const [key, [, about]] of Object.entries(BENCHMARKS)) console.error(`  ${key.padEnd(10)} ${about}`);
  process.exit(2);
}

// coffer without zstd (Node < 22.15) stores everything uncompressed and runs slower: such figures would
// say nothing about coffer as users run it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  console.error(
    `bench: this is Node.js ${process.version} (${process.execPath}); coffer needs 22.15 or later (24 LTS). ` +
      'Run `npm run bench -- <name>`, which uses the pinned Node 24, or put node_modules/.bin first on PATH.',
  );
  process.exit(2);
}

await import(new URL(entry[0], import.meta.url).href);
