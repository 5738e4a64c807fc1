#!/usr/bin/env node
// Simulate "a week of changes" on a generated dataset, deterministically.
// Usage: node mutate.mjs <dir> [seed=7] [fraction=0.02]
// Touches ~fraction of files: append (text/mbox), edit-in-middle (overwrite or
// insert a few KB), delete a few, and add a few new files.
// Copied from shared/perf/mutate.mjs so that coffer's benchmarks do not depend on ../shared at run
// time. Changes: Prettier formatting, and the unused `statSync` import dropped (lint); it makes the
// same changes as the original.
import { readdirSync, readFileSync, writeFileSync, appendFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sfc32, textBlob, mboxMessages } from './lib-prng.mjs';

const root = process.argv[2];
if (!root) {
  console.error('usage: mutate.mjs <dir> [seed] [fraction]');
  process.exit(2);
}
const r = sfc32(Number(process.argv[3] ?? 7));
const frac = Number(process.argv[4] ?? 0.02);

const walk = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
  );
const all = walk(root).sort(); // sorted => deterministic order
const n = Math.max(4, Math.round(all.length * frac));
const chosen = new Set();
while (chosen.size < n) chosen.add(all[r.int(0, all.length - 1)]);

const stats = { append: 0, editMiddle: 0, insertMiddle: 0, deleted: 0, added: 0, bytesWritten: 0 };
const isText = (p) => /\.(txt|md|csv|rtf|html|mbox)$/.test(p);
for (const p of chosen) {
  const kind = r.int(0, 9); // 0: delete, 1-4: append, 5-7: overwrite middle, 8-9: insert middle
  if (kind === 0) {
    unlinkSync(p);
    stats.deleted++;
    continue;
  }
  if (kind <= 4) {
    const add = p.endsWith('.mbox')
      ? mboxMessages(r, r.int(1 << 20, 4 << 20), 9e6 + r.u32())
      : isText(p)
        ? textBlob(r, r.int(1 << 10, 16 << 10))
        : r.bytes(r.int(4 << 10, 64 << 10));
    appendFileSync(p, add);
    stats.append++;
    stats.bytesWritten += add.length;
    continue;
  }
  const buf = readFileSync(p);
  const at = Math.floor(buf.length / 2);
  const patch = isText(p) ? textBlob(r, r.int(200, 8 << 10)) : r.bytes(r.int(1 << 10, 32 << 10));
  if (kind <= 7) {
    patch.copy(buf, at);
    writeFileSync(p, buf);
    stats.editMiddle++;
  } else {
    writeFileSync(p, Buffer.concat([buf.subarray(0, at), patch, buf.subarray(at)]));
    stats.insertMiddle++;
  }
  stats.bytesWritten += patch.length;
}
// add a few new files (new minutes + new scans), ~n/4
const week = `Incoming/week-${r.int(1, 52)}`;
mkdirSync(join(root, week), { recursive: true });
for (let i = 0; i < Math.max(2, n >> 2); i++) {
  const b = i % 2 ? textBlob(r, r.logSize(5 << 10, 200 << 10)) : r.bytes(r.logSize(100 << 10, 4 << 20));
  writeFileSync(join(root, week, `new-${i}.${i % 2 ? 'txt' : 'pdf'}`), b);
  stats.added++;
  stats.bytesWritten += b.length;
}
console.log(JSON.stringify({ root, filesBefore: all.length, touched: n, ...stats }));
