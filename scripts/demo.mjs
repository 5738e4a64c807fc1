#!/usr/bin/env node
// `npm run demo`: shows coffer's main job end to end on a temporary repository, with nothing to set up.
// It grows with each feature. Every step checks its own outcome and the demo fails loudly if one is wrong.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSampleCouncil } from './sample-council.mjs';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(bin)) {
  console.error('coffer is not built yet: run "npm ci" (or "npm run build") first');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'coffer-demo-'));
const repo = join(work, 'repository');
const documents = join(work, 'council-documents');
writeSampleCouncil(documents);
const clerkPw = join(work, 'clerk.password');
const chairPw = join(work, 'chair.password');
writeFileSync(clerkPw, 'demo clerk password\n', { mode: 0o600 });
writeFileSync(chairPw, 'demo chair password\n', { mode: 0o600 });
const asClerk = { COFFER_REPOSITORY: repo, COFFER_PASSWORD_FILE: clerkPw };

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s);
let failed = false;
function step(title, args, env, expectCode = 0, show = (out) => out) {
  console.log(`\n${bold(`== ${title}`)}`);
  console.log(`$ coffer ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const out = show(`${r.stdout}${r.stderr}`).trimEnd();
  if (out) console.log(out.replace(/^/gm, '  '));
  const ok = r.status === expectCode;
  console.log(
    ok ? `  -> exit ${r.status}, as expected` : `  -> exit ${r.status}, expected ${expectCode}: DEMO FAILED`,
  );
  if (!ok) failed = true;
  return r;
}

try {
  step('Which coffer is this', ['version'], {});
  console.log(`\ncoffer demo: a temporary encrypted repository in ${repo}`);
  step(
    'Create an encrypted repository (password from COFFER_PASSWORD_FILE)',
    ['init', '--name', 'clerk', '--role', 'parish clerk'],
    asClerk,
  );
  step(
    'Give the chair of the council a password of their own',
    ['key', 'add', '--name', 'chair', '--role', 'councillor', '--new-password-file', chairPw],
    asClerk,
  );
  step('List who can open the repository', ['key', 'list'], asClerk);
  step(
    'A wrong password is refused (exit code 12)',
    ['key', 'list'],
    { ...asClerk, COFFER_PASSWORD_FILE: '', COFFER_PASSWORD: 'guess' },
    12,
  );
  let recoveryKey = '';
  step('Print a recovery sheet for the council safe', ['key', 'recovery-sheet'], asClerk, 0, (out) => {
    recoveryKey = /((?:[0-9A-Z]{4}-){8}[0-9A-Z]{4})/.exec(out)?.[1] ?? '';
    return out.split('\n').slice(0, 12).join('\n');
  });
  step('The recovery key opens the repository, typed in lower case with spaces', ['key', 'list'], {
    ...asClerk,
    COFFER_PASSWORD_FILE: '',
    COFFER_PASSWORD: recoveryKey.toLowerCase().replaceAll('-', ' '),
  });
  step(
    'Back up the council documents (a generated sample: minutes, invoices, a mail export)',
    ['backup', documents, '--tag', 'weekly'],
    asClerk,
  );
  step(
    'Back up again: nothing changed, so nothing is read or stored',
    ['backup', documents, '--tag', 'weekly'],
    asClerk,
  );
  appendFileSync(
    join(documents, 'Minutes/2026/2026-11 Full Council minutes.txt'),
    '\nItem 12: the clerk reported the new backup arrangements.\n',
  );
  writeFileSync(join(documents, 'Minutes/2026/2026-12 agenda draft.txt'), 'Draft agenda for December\n');
  step(
    'Edit one file and add another, then back up: only those are read',
    ['backup', documents, '--tag', 'weekly'],
    asClerk,
  );
  step('List the snapshots', ['snapshots'], asClerk);

  const lostFile = join(documents, 'Finance/Invoices/invoice-003.pdf');
  rmSync(lostFile);
  console.log(`\n${bold('== Oops: the clerk deletes an invoice by mistake, and the weekly backup runs')}`);
  console.log(`$ rm '${lostFile}'`);
  step('The weekly backup runs after the deletion', ['backup', documents, '--tag', 'weekly'], asClerk);
  let restoreArgs = [];
  step(
    'What did I lose? Files in an earlier snapshot that the latest one no longer has',
    ['find', '--deleted'],
    asClerk,
    0,
    (out) => {
      const m = /coffer restore (\S+) --target/.exec(out);
      if (m) restoreArgs = ['restore', m[1]];
      return out;
    },
  );
  const manifest = join(work, 'restored.sha256');
  step(
    'Get it back into its folder; every restored file is checked against its recorded SHA-256',
    [...restoreArgs, '--target', join(documents, 'Finance/Invoices'), '--manifest', manifest],
    asClerk,
  );
  console.log(`\n${bold('== Anyone can re-check the restored file with sha256sum')}`);
  const sums = spawnSync('sha256sum', ['-c', manifest], {
    cwd: join(documents, 'Finance/Invoices'),
    encoding: 'utf8',
  });
  console.log(`$ sha256sum -c restored.sha256\n  ${(sums.stdout + sums.stderr).trim()}`);
  if (sums.status !== 0 || !existsSync(lostFile)) {
    console.log('  -> the restored file did not verify: DEMO FAILED');
    failed = true;
  }
  step('Check the whole repository, reading and verifying every byte', ['check', '--read-data'], asClerk);
  console.log(
    `\n${bold('== What the storage provider sees: random names and sizes, everything else encrypted')}`,
  );
  for (const line of spawnSync('find', [repo, '-type', 'f', '-printf', '%P  %s bytes\\n'], {
    encoding: 'utf8',
  })
    .stdout.trim()
    .split('\n')) {
    console.log(`  ${line}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  failed
    ? '\nDEMO FAILED'
    : '\nDemo finished: every step behaved as expected. The temporary repository was removed.',
);
process.exit(failed ? 1 : 0);
