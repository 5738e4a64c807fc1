// A small, deterministic sample of a parish council's files (~4 MiB, ~40 files) for the demo:
// minutes and agendas (text), scanned documents (incompressible), a mail export (mbox).
// Usage: import { writeSampleCouncil } from './sample-council.mjs'; writeSampleCouncil(dir)

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const words = [
  'council',
  'parish',
  'meeting',
  'clerk',
  'budget',
  'precept',
  'allotment',
  'playground',
  'planning',
  'application',
  'resolved',
  'councillor',
  'minutes',
  'agenda',
  'village',
  'hall',
  'grant',
  'footpath',
  'hedge',
  'cemetery',
  'insurance',
  'audit',
  'quotation',
  'approved',
  'proposed',
  'seconded',
  'unanimously',
  'item',
];

function text(rand, n) {
  const out = [];
  let len = 0;
  while (len < n) {
    const w = words[Math.floor(rand() * words.length)];
    out.push(w);
    len += w.length + 1;
  }
  return out.join(' ').slice(0, n);
}

export function writeSampleCouncil(root, seed = 2026) {
  const rand = prng(seed);
  const put = (rel, body) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), body);
  };
  const months = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'];
  for (const m of months) {
    put(
      `Minutes/2026/2026-${m} Full Council minutes.txt`,
      `Little Snoring Parish Council\nMinutes, 2026-${m}\n\n${text(rand, 20_000)}\n`,
    );
    put(`Agendas/2026/2026-${m} agenda.txt`, `Agenda 2026-${m}\n${text(rand, 4_000)}\n`);
  }
  for (let i = 1; i <= 6; i++) {
    const scan = Buffer.alloc(300_000);
    for (let j = 0; j < scan.length; j++) scan[j] = Math.floor(rand() * 256);
    scan.write('%PDF-1.7\n', 0);
    put(`Finance/Invoices/invoice-${String(i).padStart(3, '0')}.pdf`, scan);
  }
  put(
    'Finance/Budget 2026-27.csv',
    `item,amount\n${Array.from({ length: 200 }, () => `${text(rand, 20)},${Math.floor(rand() * 5000)}`).join('\n')}\n`,
  );
  put('Policies/Data protection policy.txt', text(rand, 30_000));
  put('Policies/Retention schedule.txt', text(rand, 12_000));
  const mails = Array.from(
    { length: 300 },
    (_, i) =>
      `From clerk@littlesnoring.example Mon Jan  5 09:${String(i % 60).padStart(2, '0')}:00 2026\nFrom: resident${i}@example.org\nSubject: ${text(rand, 40)}\n\n${text(rand, 1_500)}\n`,
  );
  put('Mail/clerk-inbox.mbox', mails.join('\n'));
}
