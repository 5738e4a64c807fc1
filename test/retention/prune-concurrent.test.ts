// Backups started while a prune runs (and the other way round), as processes, again and again: each
// command either succeeds or is refused cleanly (exit 11, naming the holder); with --retry-lock each
// waits its turn and succeeds. Whatever the interleaving, check --read-data stays clean, no lock is
// left behind, and every snapshot restores exactly what was backed up.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLocks, loadSnapshots, openRepository } from '../../src/repository/index.js';
import { LocalStorage } from '../../src/storage/local.js';
import { coffer, tempDir } from '../helpers/cli.js';
import { seededBytes } from '../helpers/repo.js';
import { diskContents } from '../helpers/snapshot-contents.js';
import {
  buildFixture,
  type Fixture,
  FIXTURE_PASSWORD,
  type FolderDigest,
  mulberry32,
  restoredDigest,
  startCoffer,
} from './prune-fixture.js';

const SEED = 0x636f6e63; // "conc"

let work: { path: string; cleanup: () => Promise<void> };
let fixture: Fixture;
let env: Record<string, string>;
/** What each snapshot should hold, by id. */
const expected = new Map<string, FolderDigest>();

beforeAll(async () => {
  work = await tempDir('coffer-prune-concurrent-');
  fixture = await buildFixture(
    work.path,
    {
      files: 80,
      generations: 4,
      churn: 0.4,
      minFileBytes: 4096,
      maxFileBytes: 48 * 1024,
      packSize: 16 * 1024,
    },
    SEED,
  );
  for (const s of fixture.snapshots) expected.set(s.id, s.files);
  env = { COFFER_PASSWORD: FIXTURE_PASSWORD, COFFER_REPOSITORY: fixture.repo };
});
afterAll(() => work?.cleanup());

interface Ended {
  readonly command: 'prune' | 'backup';
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('backup and prune at the same time', () => {
  it('each succeeds or is refused with exit 11 naming the holder; nothing is damaged', async () => {
    const outcomes = await rounds(6, []);
    const count = (command: string, code: number): number =>
      outcomes.filter((o) => o.command === command && o.code === code).length;
    console.log(
      `concurrent rounds without --retry-lock: prune ok ${count('prune', 0)}, refused ${count('prune', 11)}; ` +
        `backup ok ${count('backup', 0)}, refused ${count('backup', 11)}`,
    );
    for (const o of outcomes) {
      expect([0, 11], `${o.command}: ${o.stderr}`).toContain(o.code);
      if (o.code === 11) expect(o.stderr).toMatch(/locked by "(prune|backup)" .* process \d+, since /);
    }
    // They did meet: some command found the repository locked, and both kinds of command got through.
    expect(count('prune', 11) + count('backup', 11)).toBeGreaterThan(0);
    expect(count('prune', 0)).toBeGreaterThan(0);
    expect(count('backup', 0)).toBeGreaterThan(0);
    await expectEverySnapshotRestores();
  }, 300_000);

  it('with --retry-lock every command waits its turn and succeeds', async () => {
    const outcomes = await rounds(3, ['--retry-lock', '3m']);
    for (const o of outcomes) expect(o.code, `${o.command}: ${o.stderr}`).toBe(0);
    // At least one of them had to wait, and said so.
    expect(outcomes.some((o) => /waiting for it \(--retry-lock\)/.test(o.stderr))).toBe(true);
    await expectEverySnapshotRestores();
  }, 300_000);

  it('refuses a --retry-lock it cannot read before asking for a password', async () => {
    const r = await coffer(['backup', fixture.source, '--retry-lock', 'soon'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--retry-lock soon: give a duration such as 30s, 10m or 2h/);
  });
});

/** `n` rounds of: change the folder, forget, then a prune and two backups started close together. */
async function rounds(n: number, extra: readonly string[]): Promise<Ended[]> {
  const random = mulberry32(SEED + n);
  const outcomes: Ended[] = [];
  for (let round = 0; round < n; round++) {
    const state = await changeSource(random);
    const forget = await coffer(['forget', '--keep-last', '3', ...extra], env);
    expect(forget.code, forget.stderr).toBe(0);

    const commands: { command: Ended['command']; args: string[] }[] = [
      { command: 'prune', args: ['prune', '--max-unused', '0%', ...extra] },
      { command: 'backup', args: ['backup', fixture.source, '--json', ...extra] },
      { command: 'backup', args: ['backup', fixture.source, '--json', ...extra] },
    ];
    // Each starts at a seeded moment within the first second: sometimes together, sometimes one
    // while another is well under way.
    const ended = await Promise.all(
      commands.map(async ({ command, args }) => {
        await sleep(Math.floor(random() * 1000));
        const done = await startCoffer(args, env).done;
        return { command, code: done.code, stdout: done.stdout, stderr: done.stderr };
      }),
    );
    for (const o of ended) {
      if (o.command === 'backup' && o.code === 0) expected.set(snapshotIdOf(o.stdout), state);
    }
    outcomes.push(...ended);

    const repo = await openRepository(new LocalStorage(fixture.repo), FIXTURE_PASSWORD);
    expect(await listLocks(repo), `round ${round}: a lock was left behind`).toEqual([]);
    const check = await coffer(['check', '--read-data', '--json'], env);
    const report = JSON.parse(check.stdout) as { errors: unknown[] };
    expect(report.errors, `round ${round}`).toEqual([]);
    expect(check.code, check.stderr).toBe(0);
  }
  return outcomes;
}

/** Rewrites a few files and adds one, so each round's backups store something new. */
async function changeSource(random: () => number): Promise<FolderDigest> {
  for (let i = 0; i < 8; i++) {
    const f = Math.floor(random() * 80);
    const name = `${String(f % 7).padStart(2, '0')}/file-${f}.bin`;
    await writeFile(
      join(fixture.source, name),
      seededBytes(Math.floor(random() * 2 ** 31) + 1, 4096 + f * 300),
    );
  }
  const added = `00/added-${Math.floor(random() * 1e9)}.bin`;
  await writeFile(join(fixture.source, added), seededBytes(Math.floor(random() * 2 ** 31) + 1, 20_000));
  const digest = new Map<string, string>();
  for (const [path, entry] of await diskContents(fixture.source))
    if (entry.type === 'file') digest.set(path, entry.sha256!);
  return digest;
}

function snapshotIdOf(stdout: string): string {
  const summary = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; snapshotId?: string })
    .find((o) => o.type === 'summary');
  return summary!.snapshotId!;
}

async function expectEverySnapshotRestores(): Promise<void> {
  const repo = await openRepository(new LocalStorage(fixture.repo), FIXTURE_PASSWORD);
  const snapshots = await loadSnapshots(repo);
  expect(snapshots.length).toBeGreaterThan(0);
  for (const [n, s] of snapshots.entries()) {
    const want = expected.get(s.id);
    expect(want, `snapshot ${s.id.slice(0, 8)} was made by no command of this test`).toBeDefined();
    const got = await restoredDigest(repo, s.id, fixture.source, join(work.path, `restore-${s.id}-${n}`));
    expect(got.errors).toEqual([]);
    expect(got.files, `snapshot ${s.id.slice(0, 8)}`).toEqual(want);
  }
}
