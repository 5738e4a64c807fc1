// Reading the log (time and operation filters, damaged records skipped and counted), --since parsing, and
// check verifying audit and drill records like every other sealed object.

import { describe, expect, it } from 'vitest';
import { parseSince, queryAuditLog, writeAuditRecord } from '../../src/audit/index.js';
import { runCheck } from '../../src/check/index.js';
import { UsageError } from '../../src/errors.js';
import { listObjectIds, objectKey, type Repository, saveObject } from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { memRepo } from '../helpers/repo.js';

async function append(repo: Repository, operation: string, time: string): Promise<string> {
  const id = await writeAuditRecord(
    repo,
    {
      operation,
      outcome: 'success',
      summary: `${operation} at ${time}`,
      keyId: repo.keyId,
      keyName: 'clerk',
      time,
    },
    { onWarning: (m) => expect.fail(m) },
  );
  return id!;
}

/** Flips one byte of a stored object, as storage damage or tampering would. */
async function damage(storage: MemoryStorage, key: string): Promise<void> {
  const bytes = new Uint8Array(await storage.get(key));
  bytes[bytes.length - 5]! ^= 0x40;
  await storage.delete(key);
  await storage.put(key, bytes);
}

describe('queryAuditLog', () => {
  it('filters by time and operation, oldest first', async () => {
    const repo = await memRepo();
    await append(repo, 'backup', '2026-01-04T02:00:00.000Z');
    await append(repo, 'restore', '2026-02-10T09:30:00.000Z');
    await append(repo, 'key-remove', '2026-02-11T12:00:00.000Z');
    await append(repo, 'backup', '2026-02-01T02:00:00.000Z');
    const all = await queryAuditLog(repo);
    expect(all.records.map((r) => r.record.time)).toEqual([
      '2026-01-04T02:00:00.000Z',
      '2026-02-01T02:00:00.000Z',
      '2026-02-10T09:30:00.000Z',
      '2026-02-11T12:00:00.000Z',
    ]);
    const since = await queryAuditLog(repo, { since: new Date('2026-02-01T00:00:00Z') });
    expect(since.records.map((r) => r.record.operation)).toEqual(['backup', 'restore', 'key-remove']);
    const some = await queryAuditLog(repo, { operations: ['restore', 'key-remove'] });
    expect(some.records.map((r) => r.record.operation)).toEqual(['restore', 'key-remove']);
    expect(some.damaged).toEqual([]);
  });

  it('skips a damaged record and says which, instead of failing', async () => {
    const storage = new MemoryStorage();
    const repo = await memRepo(undefined, storage);
    await append(repo, 'backup', '2026-01-04T02:00:00.000Z');
    const bad = await append(repo, 'restore', '2026-01-05T02:00:00.000Z');
    await damage(storage, objectKey('audit', bad));
    const log = await queryAuditLog(repo);
    expect(log.records.map((r) => r.record.operation)).toEqual(['backup']);
    expect(log.damaged).toEqual([{ id: bad, problem: expect.stringContaining(`audit/${bad}`) }]);
  });
});

describe('parseSince', () => {
  const now = new Date('2026-03-31T12:00:00Z');
  it('reads a date as the start of that day (UTC), a time as given, and a duration back from now', () => {
    expect(parseSince('2026-01-31', now).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseSince('2026-01-31T09:15:00Z', now).toISOString()).toBe('2026-01-31T09:15:00.000Z');
    expect(parseSince('30d', now).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(parseSince('2w', now).toISOString()).toBe('2026-03-17T12:00:00.000Z');
    expect(parseSince('12h', now).toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });
  it('refuses anything else with a message naming --since and both forms', () => {
    for (const bad of ['yesterday', '2026-13-45', '30', 'd30', '']) {
      expect(() => parseSince(bad, now)).toThrow(UsageError);
      expect(() => parseSince(bad, now)).toThrow(/--since .*2026-01-31.*30d/);
    }
  });
});

describe('check and the audit and drill records', () => {
  it('counts verified records and passes a clean repository', async () => {
    const repo = await memRepo();
    await append(repo, 'backup', '2026-01-04T02:00:00.000Z');
    await append(repo, 'restore', '2026-01-05T02:00:00.000Z');
    await saveObject(repo, 'drill', new TextEncoder().encode('{"passed":true}'));
    const result = await runCheck(repo);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ auditRecords: 2, drillRecords: 1 });
  });

  it('reports a damaged audit record, a swapped one and a damaged drill record as errors, with advice', async () => {
    const storage = new MemoryStorage();
    const repo = await memRepo(undefined, storage);
    const good = await append(repo, 'backup', '2026-01-04T02:00:00.000Z');
    const flipped = await append(repo, 'key-remove', '2026-01-05T02:00:00.000Z');
    const swapped = await append(repo, 'restore', '2026-01-06T02:00:00.000Z');
    const drill = await saveObject(repo, 'drill', new TextEncoder().encode('{"passed":false}'));
    await damage(storage, objectKey('audit', flipped));
    await damage(storage, objectKey('drill', drill));
    // swapping one record for a copy of another hides what was there: the name no longer matches
    await storage.delete(objectKey('audit', swapped));
    await storage.put(objectKey('audit', swapped), await storage.get(objectKey('audit', good)));
    const result = await runCheck(repo);
    expect(result.ok).toBe(false);
    const damaged = result.errors.filter((e) => e.kind === 'record-damaged');
    expect(damaged.map((e) => e.object).sort()).toEqual(
      [objectKey('audit', flipped), objectKey('audit', swapped), objectKey('drill', drill)].sort(),
    );
    expect(damaged.find((e) => e.object === objectKey('audit', swapped))?.message).toMatch(
      /holds a copy of audit\//,
    );
    expect(damaged[0]!.advice).toMatch(/the log has a gap/);
    expect(result.counts).toMatchObject({ auditRecords: 1, drillRecords: 0 });
    expect(await listObjectIds(storage, 'audit')).toHaveLength(3); // check only reports; it never deletes
  });

  it('reports a sealed record whose content is not an audit record', async () => {
    const repo = await memRepo();
    const id = await saveObject(repo, 'audit', new TextEncoder().encode('{"time":"not a time"}'));
    const result = await runCheck(repo);
    expect(result.errors).toMatchObject([
      {
        kind: 'record-damaged',
        object: objectKey('audit', id),
        message: expect.stringMatching(/not a valid audit record/),
      },
    ]);
  });
});
