// auditOperation over the memory storage: one record per operation with the right outcome, and the
// operation's own result or error untouched whatever happens to the record.

import { describe, expect, it } from 'vitest';
import { auditOperation, keyNameOf, type AuditOptions } from '../../src/audit/index.js';
import { InterruptedError, UsageError } from '../../src/errors.js';
import {
  addKey,
  changePassword,
  createRecoveryKey,
  openRepository,
  readAuditLog,
  type Repository,
} from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { readOnly } from '../../src/storage/read-only.js';
import { withFaults } from '../../src/storage/with-faults.js';
import { fastKdf, memRepo } from '../helpers/repo.js';

const NOW = new Date('2026-03-01T10:00:00.000Z');

function options(extra: Partial<AuditOptions> = {}): AuditOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m), now: () => NOW, ...extra };
}

async function records(repo: Repository) {
  return (await readAuditLog(repo)).map((r) => r.record);
}

describe('auditOperation', () => {
  it('returns what the operation returned and records a success with who, where, when and what', async () => {
    const repo = await memRepo();
    const opts = options();
    const result = await auditOperation(
      repo,
      'backup',
      async () => ({ snapshot: 'abc123' }),
      (end) => ({
        summary: end.ok ? `backup saved ${end.result.snapshot}` : 'no',
        details: { snapshot: 'abc123' },
      }),
      opts,
    );
    expect(result).toEqual({ snapshot: 'abc123' });
    expect(opts.warnings).toEqual([]);
    const [record, ...rest] = await records(repo);
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      time: NOW.toISOString(),
      operation: 'backup',
      outcome: 'success',
      summary: 'backup saved abc123',
      keyId: repo.keyId,
      keyName: 'clerk',
      details: { snapshot: 'abc123' },
    });
    expect(record!.host).toBeTruthy();
    expect(record!.user).toBeTruthy();
  });

  it("records 'partial' when the description says so (a backup with unreadable files)", async () => {
    const repo = await memRepo();
    await auditOperation(
      repo,
      'backup',
      async () => 3,
      () => ({ summary: 'some files could not be read', outcome: 'partial' }),
      options(),
    );
    expect((await records(repo))[0]).toMatchObject({ outcome: 'partial' });
  });

  it('rethrows the very error the operation threw and records the failure with its message and exit code', async () => {
    const repo = await memRepo();
    const error = new UsageError('no snapshot has an id starting with abcd');
    const run = auditOperation(
      repo,
      'restore',
      async () => {
        throw error;
      },
      (end) => ({ summary: end.ok ? 'ok' : 'restore of abcd failed', details: { spec: 'abcd' } }),
      options(),
    );
    await expect(run).rejects.toBe(error);
    expect((await records(repo))[0]).toMatchObject({
      operation: 'restore',
      outcome: 'failure',
      summary: 'restore of abcd failed',
      details: { spec: 'abcd', error: 'no snapshot has an id starting with abcd', exitCode: 2 },
    });
  });

  it("records 'interrupted' for an InterruptedError, and for any error once the signal has fired", async () => {
    const repo = await memRepo();
    const describe = () => ({ summary: 'stopped' });
    await expect(
      auditOperation(
        repo,
        'backup',
        async () => {
          throw new InterruptedError('stopped cleanly');
        },
        describe,
        options(),
      ),
    ).rejects.toThrow('stopped cleanly');
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    await expect(
      auditOperation(
        repo,
        'check',
        async () => {
          throw new Error('aborted read');
        },
        describe,
        options({ signal: controller.signal }),
      ),
    ).rejects.toThrow('aborted read');
    // same clock reading, so sorted by operation here rather than by the log's time-then-id order
    expect((await records(repo)).map((r) => [r.operation, r.outcome]).sort()).toEqual([
      ['backup', 'interrupted'],
      ['check', 'interrupted'],
    ]);
  });

  it('writes nothing when told not to record (dry runs)', async () => {
    const repo = await memRepo();
    expect(
      await auditOperation(
        repo,
        'prune',
        async () => 'planned',
        () => ({ summary: 'x' }),
        options({ record: false }),
      ),
    ).toBe('planned');
    expect(await records(repo)).toEqual([]);
  });

  it('a record that cannot be written is a warning: the success stays a success', async () => {
    const storage = new MemoryStorage();
    const repo = await memRepo(undefined, storage);
    const readOnlyRepo = { ...repo, storage: readOnly(storage) };
    const opts = options();
    expect(
      await auditOperation(
        readOnlyRepo,
        'restore',
        async () => 42,
        () => ({ summary: 'r' }),
        opts,
      ),
    ).toBe(42);
    expect(opts.warnings).toHaveLength(1);
    expect(opts.warnings[0]).toMatch(
      /this restore could not be added to the audit log \(.*read-only\); the restore itself is not affected/,
    );
    expect(await records(repo)).toEqual([]);
  });

  it('a record that cannot be written never hides the original error', async () => {
    const storage = withFaults(new MemoryStorage(), [
      { op: 'put', key: /^audit\//, error: 'permanent', times: Infinity },
    ]);
    const repo = await memRepo(undefined, storage);
    const original = new Error('the storage went away');
    const opts = options();
    await expect(
      auditOperation(
        repo,
        'backup',
        async () => {
          throw original;
        },
        () => ({ summary: 'failed' }),
        opts,
      ),
    ).rejects.toBe(original);
    expect(opts.warnings[0]).toMatch(
      /this backup could not be added to the audit log .*; the backup itself ended as reported/,
    );
  });

  it('gives up on a record write that hangs, after its own timeout', async () => {
    const storage = withFaults(new MemoryStorage(), [{ op: 'put', key: /^audit\//, delayMs: 60_000 }]);
    const repo = await memRepo(undefined, storage);
    const opts = options({ writeTimeoutMs: 50 });
    const began = Date.now();
    expect(
      await auditOperation(
        repo,
        'check',
        async () => 'ok',
        () => ({ summary: 'c' }),
        opts,
      ),
    ).toBe('ok');
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(opts.warnings).toHaveLength(1);
  });

  it('a describe that throws still leaves a record and the result', async () => {
    const repo = await memRepo();
    const result = await auditOperation(
      repo,
      'forget',
      async () => 'done',
      () => {
        throw new TypeError('bug in a summary');
      },
      options(),
    );
    expect(result).toBe('done');
    expect((await records(repo))[0]).toMatchObject({
      operation: 'forget',
      outcome: 'success',
      summary: 'forget done',
    });
  });

  it('records written one after another come back oldest first', async () => {
    const repo = await memRepo();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => new Date((t += 60_000));
    for (const op of ['init', 'backup', 'restore', 'forget', 'prune', 'key-add', 'key-remove'])
      await auditOperation(
        repo,
        op,
        async () => op,
        (end) => ({ summary: String(end.ok && end.result) }),
        options({ now: clock }),
      );
    expect((await records(repo)).map((r) => r.operation)).toEqual([
      'init',
      'backup',
      'restore',
      'forget',
      'prune',
      'key-add',
      'key-remove',
    ]);
  });
});

describe('keyNameOf', () => {
  it('names the holder of the key the repository was opened with, the recovery key included', async () => {
    const storage = new MemoryStorage();
    const repo = await memRepo('clerk password', storage);
    expect(keyNameOf(repo)).toBe('clerk');
    await addKey(repo, { password: 'chair password', holder: { name: 'chair' }, kdf: fastKdf });
    expect(keyNameOf(await openRepository(storage, 'chair password'))).toBe('chair');
    const { recoveryKey } = await createRecoveryKey(repo, { kdf: fastKdf });
    expect(keyNameOf(await openRepository(storage, recoveryKey))).toBe('recovery');
  });

  it("falls back to the key id when the key file's holder name could not be read", async () => {
    const repo = await memRepo();
    const unnamed: Repository = { ...repo, keyName: undefined };
    expect(keyNameOf(unnamed)).toBe(`key ${repo.keyId.slice(0, 8)}`);
  });

  it('key passwd is recorded under the old key and name, though the old key file is gone afterwards', async () => {
    const repo = await memRepo();
    const oldKeyId = repo.keyId;
    const changed = await auditOperation(
      repo,
      'key-passwd',
      () => changePassword(repo, 'new password', fastKdf),
      (end) => ({ summary: 'changed', details: end.ok ? { newKeyId: end.result.id } : {} }),
      options(),
    );
    expect((await records(repo))[0]).toMatchObject({
      keyId: oldKeyId,
      keyName: 'clerk',
      details: { newKeyId: changed.id },
    });
  });
});
