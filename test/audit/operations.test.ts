// Real operations through auditOperation and their summaries: restore with read-only credentials, backup,
// key removal and the recovery key (whose secret must never reach a record).

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auditOperation,
  describeBackup,
  describeKeyRemove,
  describeRecoveryKey,
  describeRestore,
} from '../../src/audit/index.js';
import { runBackup } from '../../src/backup/index.js';
import {
  addKey,
  createRecoveryKey,
  formatRecoveryKey,
  openRepository,
  readAuditLog,
  removeKey,
  type Repository,
  withLock,
} from '../../src/repository/index.js';
import { runRestore } from '../../src/restore/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { readOnly } from '../../src/storage/read-only.js';
import { withFaults } from '../../src/storage/with-faults.js';
import { fastKdf, memRepo } from '../helpers/repo.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
  dirs.push(d);
  return d;
}

function collectWarnings(): { warnings: string[]; onWarning: (m: string) => void } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m) };
}

async function backedUp(storage = new MemoryStorage()): Promise<{ repo: Repository; src: string }> {
  const src = await tmp();
  await writeFile(join(src, 'minutes.txt'), 'minutes of the January meeting');
  const repo = await memRepo('clerk password', storage);
  await auditOperation(
    repo,
    'backup',
    () => runBackup(repo, { paths: [src] }),
    describeBackup([src]),
    collectWarnings(),
  );
  return { repo, src };
}

describe('audited operations', () => {
  it('a backup record names the snapshot and counts', async () => {
    const { repo, src } = await backedUp();
    const [record] = (await readAuditLog(repo)).map((r) => r.record);
    expect(record).toMatchObject({
      operation: 'backup',
      outcome: 'success',
      summary: expect.stringMatching(
        new RegExp(`^backup of ${src}: snapshot [0-9a-f]{8} saved, 1 new and 0 changed of 1 file`),
      ),
      details: { paths: [src], files: 1, filesNew: 1, snapshot: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('restore with read-only credentials still restores, and warns that neither lock nor record could be written', async () => {
    const storage = new MemoryStorage();
    const { src } = await backedUp(storage);
    const viewer = await openRepository(readOnly(storage), 'clerk password');
    const target = await tmp();
    const { warnings, onWarning } = collectWarnings();
    const result = await auditOperation(
      viewer,
      'restore',
      () => runRestore(viewer, { snapshot: 'latest', target, onWarning }),
      describeRestore({ spec: 'latest', target }),
      { onWarning },
    );
    expect(result.outcome?.filesRestored).toBe(1);
    expect(await readFile(join(target, src, 'minutes.txt'), 'utf8')).toBe('minutes of the January meeting');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/could not take a lock .*read-only.*going on without one/);
    expect(warnings[1]).toMatch(/this restore could not be added to the audit log .*read-only.*not affected/);
    // and with write access the restore is recorded
    const clerk = await openRepository(storage, 'clerk password');
    const again = await tmp();
    await auditOperation(
      clerk,
      'restore',
      () => runRestore(clerk, { snapshot: 'latest', target: again }),
      describeRestore({ spec: 'latest', target: again }),
      collectWarnings(),
    );
    expect((await readAuditLog(clerk)).at(-1)?.record).toMatchObject({
      operation: 'restore',
      summary: expect.stringMatching(
        /^restore of latest to .*: 1 file \(30 B\) from snapshot [0-9a-f]{8} restored and verified$/,
      ),
      details: { spec: 'latest', target: again, filesRestored: 1 },
    });
  });

  it('only a shared lock is skipped, only when asked, and only for a write the storage refuses', async () => {
    const storage = new MemoryStorage();
    await backedUp(storage);
    const viewer = await openRepository(readOnly(storage), 'clerk password');
    const { warnings, onWarning } = collectWarnings();
    let ran = 0;
    const fn = async (): Promise<void> => void ran++;
    // an exclusive lock (prune, forget) is never skipped
    await expect(
      withLock(viewer, { exclusive: true, operation: 'prune', onUnlocked: onWarning }, fn),
    ).rejects.toThrow(/read-only/);
    // without onUnlocked a shared lock is required as before
    await expect(withLock(viewer, { exclusive: false, operation: 'restore' }, fn)).rejects.toThrow(
      /read-only/,
    );
    // a storage that cannot be reached is not a refusal: the error stands
    const down = withFaults(storage, [{ op: 'put', key: /^locks\//, error: 'transient', times: Infinity }]);
    const unreachable = { ...viewer, storage: down };
    await expect(
      withLock(unreachable, { exclusive: false, operation: 'restore', onUnlocked: onWarning }, fn),
    ).rejects.toThrow();
    expect(ran).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('key remove names the removed key and the remover; the removed password no longer opens the repository', async () => {
    const storage = new MemoryStorage();
    const repo = await memRepo('clerk password', storage);
    const chair = await addKey(repo, { password: 'chair password', holder: { name: 'chair' }, kdf: fastKdf });
    await auditOperation(
      repo,
      'key-remove',
      () => removeKey(repo, 'chair'),
      describeKeyRemove('chair'),
      collectWarnings(),
    );
    await expect(openRepository(storage, 'chair password')).rejects.toThrow(/wrong password/);
    expect((await readAuditLog(repo))[0]?.record).toMatchObject({
      operation: 'key-remove',
      keyName: 'clerk',
      keyId: repo.keyId,
      summary: `key ${chair.id.slice(0, 8)} (chair) removed: its password no longer opens the repository`,
      details: { removedKeyId: chair.id, removedKeyName: 'chair' },
    });
  });

  it('a refused key removal is recorded as a failure', async () => {
    const repo = await memRepo();
    await expect(
      auditOperation(
        repo,
        'key-remove',
        () => removeKey(repo, 'clerk'),
        describeKeyRemove('clerk'),
        collectWarnings(),
      ),
    ).rejects.toThrow(/the key you opened the repository with/);
    expect((await readAuditLog(repo))[0]?.record).toMatchObject({
      outcome: 'failure',
      summary: expect.stringMatching(/^removing key "clerk" failed: that is the key you opened/),
    });
  });

  it('the recovery key itself never reaches a record', async () => {
    const storage = new MemoryStorage();
    const repo = await memRepo(undefined, storage);
    const result = await auditOperation(
      repo,
      'recovery-key',
      () => createRecoveryKey(repo, { kdf: fastKdf }),
      describeRecoveryKey(),
      collectWarnings(),
    );
    const text = JSON.stringify(await readAuditLog(repo));
    expect(text).toContain(result.key.id);
    expect(text).not.toContain(result.recoveryKey);
    expect(text).not.toContain(formatRecoveryKey(result.recoveryKey));
  });
});

describe('summaries', () => {
  it('a backup with unreadable files is partial and says how many are missing', () => {
    const summary = {
      filesNew: 1,
      filesChanged: 0,
      filesUnmodified: 0,
      dirsNew: 1,
      dirsChanged: 0,
      dirsUnmodified: 0,
      bytesRead: 4,
      bytesAdded: 4,
      bytesStored: 40,
      totalFiles: 1,
      totalBytes: 4,
      started: '2026-01-04T02:00:00Z',
      finished: '2026-01-04T02:00:01Z',
    };
    const described = describeBackup(['/srv/docs'])({
      ok: true,
      result: {
        snapshotId: 'ab'.repeat(32),
        summary,
        warnings: [
          { kind: 'unreadable', path: '/srv/docs/a', message: 'could not be read' },
          { kind: 'unreadable', path: '/srv/docs/b', message: 'could not be read' },
        ],
        incomplete: true,
        dryRun: false,
        packsWritten: 1,
      },
    });
    expect(described.outcome).toBe('partial');
    expect(described.summary).toBe(
      'backup of /srv/docs: snapshot abababab saved, 1 new and 0 changed of 1 file, 4 B added; 2 files could not be read and are missing from it',
    );
    expect(described.details).toMatchObject({ unreadable: 2, snapshot: 'ab'.repeat(32) });
  });
});
