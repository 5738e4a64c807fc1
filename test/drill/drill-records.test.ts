// Drill records: sealed in drills/<id>, listed oldest first, never readable on storage, and kept by prune.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { CorruptObjectError } from '../../src/errors.js';
import {
  decodeDrill,
  listDrills,
  runDrill,
  saveDrillRecord,
  wholeSnapshotTarget,
} from '../../src/drill/index.js';
import { loadSnapshots } from '../../src/repository/index.js';
import { runForget, runPrune } from '../../src/retention/index.js';
import { type DrillFixture, drillFixture } from './fixture.js';

const fixtures: DrillFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

describe('drill records', () => {
  it('round-trip through drills/<id>, oldest first, and nothing in them is readable on storage', async () => {
    const f = await drillFixture();
    fixtures.push(f);
    const ctx = { storage: f.repo.storage, master: f.repo.master };
    const clock = (iso: string) => () => new Date(iso);
    const later = await runDrill(f.repo, {
      now: clock('2026-05-02T10:00:00Z'),
      rto: [wholeSnapshotTarget('4h', 4 * 3_600_000)],
    });
    const earlier = await runDrill(f.repo, {
      now: clock('2026-03-01T10:00:00Z'),
      rto: [wholeSnapshotTarget('1ms', 1)],
    });
    const laterId = await saveDrillRecord(ctx, later);
    const earlierId = await saveDrillRecord(ctx, earlier);
    const listed = await listDrills(ctx);
    expect(listed.map((d) => d.id)).toEqual([earlierId, laterId]);
    expect(listed[0]!.drill).toEqual(earlier);
    expect(listed[1]!.drill).toEqual(later);
    expect(listed.map((d) => d.drill.passed)).toEqual([false, true]);

    // Everything a record says (paths, key name, host, reasons) is sealed: none of it is on storage in clear.
    const stored: Uint8Array[] = [];
    for await (const { key } of f.repo.storage.list('drills/')) stored.push(await f.repo.storage.get(key));
    expect(stored).toHaveLength(2);
    const clear = [
      f.source,
      'Finance',
      'clerk',
      later.ranBy.host,
      'whole snapshot',
      f.snapshotId,
      '"passed"',
    ];
    for (const bytes of stored) {
      const text = Buffer.from(bytes).toString('latin1');
      for (const word of clear) expect(text).not.toContain(word);
    }
  });

  it('are kept by forget and prune, which remove the snapshot they drilled', async () => {
    const f = await drillFixture();
    fixtures.push(f);
    const ctx = { storage: f.repo.storage, master: f.repo.master };
    const ids = [
      await saveDrillRecord(ctx, await runDrill(f.repo)),
      await saveDrillRecord(ctx, await runDrill(f.repo, { scope: { kind: 'sample', percent: 10 } })),
    ];
    await writeFile(join(f.source, 'Minutes', '2026-04.txt'), 'April minutes');
    await runBackup(f.repo, { paths: [f.source] });
    const forgot = await runForget(f.repo, { policy: { last: 1 } });
    expect(forgot.removed).toBe(1);
    const pruned = await runPrune(f.repo, { maxUnused: 0 });
    expect(pruned.plan.deletePacks.length + pruned.plan.repackPacks.length).toBeGreaterThan(0);
    expect((await loadSnapshots(ctx)).map((s) => s.id)).not.toContain(f.snapshotId);
    const kept = await listDrills(ctx);
    expect(kept.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(kept.every((d) => d.drill.snapshot.id === f.snapshotId)).toBe(true);
  });

  it('refuses a payload that is not a drill record', () => {
    expect(() => decodeDrill(new TextEncoder().encode('{"version":1}'), 'drills/x')).toThrow(
      CorruptObjectError,
    );
    expect(() => decodeDrill(Uint8Array.of(0xff, 0xfe), 'drills/x')).toThrow(/not a valid drill record/);
  });
});
