// A stand-in for the coffer CLI in daemon loop tests (the real binary is used in daemon-e2e tests):
// records each invocation in FAKE_COFFER_LOG and answers like coffer's --json output. Its behaviour
// per command comes from FAKE_<COMMAND>_EXIT, FAKE_<COMMAND>_SLEEP_MS and FAKE_IGNORE_TERM.
import { appendFileSync } from 'node:fs';

const args = process.argv.slice(2);
const command = args.find((a) => ['backup', 'forget', 'check', 'drill'].includes(a));
appendFileSync(process.env.FAKE_COFFER_LOG, `${JSON.stringify({ args, pid: process.pid })}\n`);
const env = (name) => process.env[`FAKE_${command.toUpperCase()}_${name}`];
const exit = Number(env('EXIT') ?? 0);
const sleepMs = Number(env('SLEEP_MS') ?? 0);

process.on('SIGTERM', () => {
  if (process.env.FAKE_IGNORE_TERM) return;
  process.stderr.write('\ncoffer: terminated, stopping cleanly (Ctrl-C again to stop at once)\n');
  process.stderr.write('coffer: backup interrupted; no snapshot was written\n');
  process.exit(130);
});

setTimeout(() => {
  if (exit !== 0 && exit !== 3) {
    process.stderr.write(`coffer: warning: something minor\ncoffer: fake ${command} failed with ${exit}\n`);
    process.exit(exit);
  }
  const out = {
    backup: {
      type: 'summary',
      snapshotId: `snap${Date.now()}`,
      bytesAdded: 2048,
      filesNew: 2,
      filesChanged: 1,
      incomplete: exit === 3,
    },
    forget: {
      dryRun: false,
      removed: 1,
      retained: [],
      groups: [],
      ...(args.includes('--prune') ? { prune: { deletePacks: 2, repackPacks: 0, bytesFreed: 4096 } } : {}),
    },
    check: {
      ok: true,
      readData: 'none',
      errors: [],
      notes: [],
      counts: { snapshots: 3, packs: 4, packsRead: 0 },
    },
    drill: { passed: true, summary: 'restored 5% in 1 min' },
  }[command];
  process.stdout.write(
    command === 'backup'
      ? `{"type":"progress"}\n${JSON.stringify(out)}\n`
      : `${JSON.stringify(out, null, 2)}\n`,
  );
  process.exit(exit);
}, sleepMs);
