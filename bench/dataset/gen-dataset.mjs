#!/usr/bin/env node
// Deterministic "parish council" dataset generator (~1 GiB, ~3000 files).
// Usage: node gen-dataset.mjs <outdir> [seed=1] [scale=1.0]
//   scale multiplies file counts (0.1 => ~100 MiB quick dataset).
// Same seed+scale => byte-identical tree. No dependencies.
// Copied from shared/perf/gen-dataset.mjs (the team's perf-baseline generator) so that coffer's
// benchmarks do not depend on ../shared at run time. Changes: Prettier formatting only; its output
// is byte-identical to the original's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sfc32, textBlob, mboxMessages } from './lib-prng.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: gen-dataset.mjs <outdir> [seed] [scale]');
  process.exit(2);
}
const seed = Number(process.argv[3] ?? 1);
const scale = Number(process.argv[4] ?? 1);
const r = sfc32(seed);

const N_TEXT = Math.round(2690 * scale); // minutes/agendas/letters: 5-200 KB, compressible
const N_BIN = Math.round(300 * scale); // pdf/docx/jpg-like: 100 KB-8 MB, incompressible
const N_MBOX = Math.max(1, Math.round(5 * scale)); // mail exports: 20-100 MB

const years = ['2019', '2020', '2021', '2022', '2023', '2024'];
const areas = [
  'Minutes',
  'Agendas',
  'Finance',
  'Planning',
  'Correspondence',
  'Policies',
  'Projects/Playground',
  'Projects/VillageHall',
  'Projects/Cemetery',
  'Allotments',
  'Audit',
  'HR',
];
const binKinds = [
  ['pdf', '%PDF-1.7\n'],
  ['docx', 'PK\x03\x04'],
  ['jpg', '\xff\xd8\xff\xe0'],
  ['xlsx', 'PK\x03\x04'],
];
const textKinds = ['txt', 'md', 'csv', 'rtf', 'html'];

let files = 0,
  bytes = 0;
function emit(rel, buf) {
  const p = join(out, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, buf);
  files++;
  bytes += buf.length;
}
const dir = () => `${r.pick(areas)}/${r.pick(years)}/${String(r.int(1, 12)).padStart(2, '0')}`;

// 1) text-like documents (log-uniform 5-200 KB)
for (let i = 0; i < N_TEXT; i++) {
  const ext = r.pick(textKinds);
  emit(`${dir()}/doc-${i}.${ext}`, textBlob(r, r.logSize(5 << 10, 200 << 10)));
}
// 2) incompressible "binary" documents (log-uniform 100 KB-8 MB), realistic magic header
for (let i = 0; i < N_BIN; i++) {
  const [ext, magic] = r.pick(binKinds);
  const b = r.bytes(r.logSize(100 << 10, 8 << 20));
  Buffer.from(magic, 'latin1').copy(b, 0);
  emit(`${dir()}/scan-${i}.${ext}`, b);
}
// 3) mbox exports (see mboxMessages in lib-prng.mjs)
for (let i = 0; i < N_MBOX; i++) {
  emit(`MailExports/clerk-${2019 + i}.mbox`, mboxMessages(r, r.int(20 << 20, 100 << 20), i * 1e6));
}
console.log(JSON.stringify({ out, seed, scale, files, bytes, MiB: +(bytes / 2 ** 20).toFixed(1) }));
