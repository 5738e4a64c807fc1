// kill -9 of `coffer prune` at seeded random moments: whatever it had done, `coffer unlock` clears the
// dead process's lock, `coffer check --read-data` finds no damage (only unused data a later prune
// removes), every remaining snapshot restores exactly, and a second prune finishes the job.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshots, openRepository } from '../../src/repository/index.js';
import { runForget } from '../../src/retention/index.js';
import { LocalStorage } from '../../src/storage/local.js';
import { coffer, tempDir } from '../helpers/cli.js';
import {
  buildFixture,
  copyRepository,
  FIXTURE_PASSWORD,
  type FixtureSnapshot,
  mulberry32,
  ObjectSteps,
  objectsIn,
  restoredDigest,
  startCoffer,
} from './prune-fixture.js';

const RUNS = 20;
const SEED = 0x6b696c6c; // "kill"
const PRUNE_ARGS = ['prune', '--max-unused', '0%'];

type Phase = 'before any change' | 'writing' | 'deleting' | 'finished';

let work: { path: string; cleanup: () => Promise<void> };
let template: string;
let source: string;
let remaining: readonly FixtureSnapshot[];
let templateObjects: string[];

beforeAll(async () => {
  work = await tempDir('coffer-prune-kill-');
  // About 400 packs of 16 KiB over 6 snapshots; forgetting 3 leaves most packs partly used, so prune
  // writes a hundred or more packs and deletes some 400 objects: several hundred steps to kill it at.
  const fixture = await buildFixture(
    work.path,
    {
      files: 100,
      generations: 6,
      churn: 0.35,
      minFileBytes: 4096,
      maxFileBytes: 48 * 1024,
      packSize: 16 * 1024,
    },
    SEED,
  );
  const repo = await openRepository(new LocalStorage(fixture.repo), FIXTURE_PASSWORD);
  await runForget(repo, { policy: { last: 3 } });
  template = fixture.repo;
  source = fixture.source;
  remaining = fixture.snapshots.slice(-3);
  templateObjects = await objectsIn(template);
});
afterAll(() => work?.cleanup());

describe('coffer prune killed at random moments', () => {
  it(`leaves a repository that unlocks, checks clean and restores every snapshot, ${RUNS} kills`, async () => {
    const run = join(work.path, 'run');
    const env = { COFFER_PASSWORD: FIXTURE_PASSWORD, COFFER_REPOSITORY: run };

    // One whole prune, to count its steps (objects written or deleted, its lock among them) and spread
    // the kills over all of them. Steps rather than milliseconds: on a busy machine a prune's duration
    // varies twofold from run to run, and kills timed by a clock bunch at one end.
    await copyRepository(template, run);
    const counter = new ObjectSteps(run);
    const full = await coffer(PRUNE_ARGS, env);
    await settle();
    const steps = counter.count;
    counter.close();
    expect(full.code, full.stderr).toBe(0);
    expect(steps).toBeGreaterThan(300);

    const random = mulberry32(SEED);
    const outcomes: { step: number; phase: Phase }[] = [];
    let followUps = 0;
    for (let i = 0; i < RUNS; i++) {
      await copyRepository(template, run);
      // Stratified: run i is killed at a random step within the i-th twentieth of them, so the kills
      // cover the whole prune evenly whatever the seed draws.
      const step = Math.max(1, Math.ceil(((i + random()) / RUNS) * steps));
      const watcher = new ObjectSteps(run);
      const prune = startCoffer(PRUNE_ARGS, env);
      watcher.at(step, () => prune.kill('SIGKILL'));
      const ended = await prune.done;
      watcher.close();
      const what = `run ${i}: killed at step ${step} of ${steps}`;
      if (ended.signal !== 'SIGKILL') expect(ended.code, `${what}: ${ended.stderr}`).toBe(0);
      const phase = ended.signal === 'SIGKILL' ? await phaseOf(run) : 'finished';
      outcomes.push({ step, phase });

      // The killed process's lock is stale by its pid, which is gone from this host.
      const unlock = await coffer(['unlock'], env);
      expect(unlock.code, `${what}: ${unlock.stderr}`).toBe(0);
      expect(unlock.stdout, what).toMatch(/\b[01] locks? removed, 0 left/);

      const check = await coffer(['check', '--read-data', '--json'], env);
      const report = JSON.parse(check.stdout) as { errors: unknown[]; notes: { kind: string }[] };
      expect(report.errors, what).toEqual([]);
      expect(check.code, `${what}: ${check.stderr}`).toBe(0);
      for (const note of report.notes) expect(['unused-data', 'unindexed-packs'], what).toContain(note.kind);

      await expectSnapshotsRestore(run, join(work.path, `restore-${i}`), what);

      // Whatever the killed prune left, the next one completes it (shown on a few runs, for time).
      if ((phase === 'writing' || phase === 'deleting') && followUps++ < 2) {
        const again = await coffer(PRUNE_ARGS, env);
        expect(again.code, `${what}: ${again.stderr}`).toBe(0);
        const after = await coffer(['check', '--json'], env);
        expect(after.code, `${what}: ${after.stderr}`).toBe(0);
        expect((JSON.parse(after.stdout) as { notes: unknown[] }).notes, what).toEqual([]);
      }
    }

    const tally = (p: Phase): number => outcomes.filter((x) => x.phase === p).length;
    console.log(
      `prune kill loop: a whole prune is ${steps} steps; killed ${tally('before any change')} times before it ` +
        `changed anything, ${tally('writing')} while writing, ${tally('deleting')} while deleting; ` +
        `${tally('finished')} finished first (${outcomes.map((o) => `${o.step}:${o.phase}`).join(' ')})`,
    );
    // The repository is big enough that most kills interrupt real work, in both halves of it.
    expect(tally('writing') + tally('deleting')).toBeGreaterThanOrEqual(RUNS / 2);
    expect(tally('writing')).toBeGreaterThan(0);
    expect(tally('deleting')).toBeGreaterThan(0);
  }, 600_000);
});

/**
 * How far a killed prune got: nothing changed yet; new packs or index written but nothing deleted; or
 * deleting what the new index no longer lists.
 */
async function phaseOf(repoDir: string): Promise<Phase> {
  const now = new Set(await objectsIn(repoDir));
  const before = new Set(templateObjects);
  if ([...before].some((key) => !now.has(key))) return 'deleting';
  if ([...now].some((key) => !before.has(key))) return 'writing';
  return 'before any change';
}

async function expectSnapshotsRestore(repoDir: string, targets: string, what: string): Promise<void> {
  const repo = await openRepository(new LocalStorage(repoDir), FIXTURE_PASSWORD);
  const stored = await loadSnapshots(repo);
  expect(stored.map((s) => s.id).sort(), what).toEqual(remaining.map((s) => s.id).sort());
  for (const [n, snap] of remaining.entries()) {
    const restored = await restoredDigest(repo, snap.id, source, join(targets, String(n)));
    expect(restored.errors, what).toEqual([]);
    expect(restored.files, `${what}: snapshot ${snap.id.slice(0, 8)}`).toEqual(snap.files);
  }
}

/** Lets the file watcher deliver the last events of a process that has just exited. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}
