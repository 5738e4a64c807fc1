// A year in a council's repository, for report tests: made in December 2025, backed up every Sunday of
// 2026 up to mid-October except three weeks, keys added and one removed, a check, and three drills (the
// last missing its RTO). Everything goes through the real operations with injected clocks.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditOperation, describeCheck, describeKeyAdd, describeKeyRemove } from '../../src/audit/index.js';
import { runBackup } from '../../src/backup/index.js';
import { runCheck } from '../../src/check/index.js';
import type { JobConfig, RtoTarget } from '../../src/config/index.js';
import { runDrill, saveDrillRecord, type StoredDrill, listDrills } from '../../src/drill/index.js';
import { addKey, initRepository, removeKey, type Repository } from '../../src/repository/index.js';
import { LocalStorage } from '../../src/storage/index.js';
import { fastKdf, TEST_PASSWORD } from '../helpers/repo.js';
import { writeCouncilFolder } from './fixture.js';

export const HOSTILE_KEY_NAME = '<script>alert("owned")</script> & co';
export const MISSED_WEEKS = [12, 13, 30] as const;
export const LAST_BACKUP_WEEK = 41;
/** Wednesday of ISO week 42 of 2026, 13:00 in London. */
export const REPORT_NOW = new Date('2026-10-14T12:00:00Z');
export const TIME_ZONE = 'Europe/London';

export interface ReportFixture {
  readonly dir: string;
  readonly source: string;
  readonly repo: Repository;
  readonly drills: readonly StoredDrill[];
  readonly job: Pick<JobConfig, 'name' | 'rto' | 'retention'>;
  cleanup(): Promise<void>;
}

/** Sunday of ISO week `n` of 2026 at 02:00 UTC (week 1 ends on Sunday 4 January). */
export function sundayOfWeek(n: number): Date {
  return new Date(Date.UTC(2026, 0, 4 + 7 * (n - 1), 2, 0, 0));
}

export async function reportFixture(): Promise<ReportFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-report-test-'));
  const source = join(dir, 'council');
  await writeCouncilFolder(source);
  const repo = await initRepository(new LocalStorage(join(dir, 'repo')), {
    password: TEST_PASSWORD,
    holder: { name: 'clerk', role: 'owner' },
    kdf: fastKdf,
    now: new Date('2025-12-01T09:00:00Z'),
  });
  for (let week = 1; week <= LAST_BACKUP_WEEK; week++) {
    if ((MISSED_WEEKS as readonly number[]).includes(week)) continue;
    const at = sundayOfWeek(week);
    await runBackup(repo, { paths: [source], now: () => at });
  }
  const audit = (iso: string) => ({ onWarning: () => {}, now: () => new Date(iso) });
  await auditOperation(
    repo,
    'key-add',
    () => addKey(repo, { password: 'chair pw', holder: { name: 'chair' }, kdf: fastKdf }),
    describeKeyAdd('chair'),
    audit('2026-02-03T10:00:00Z'),
  );
  await auditOperation(
    repo,
    'key-add',
    () =>
      addKey(repo, {
        password: 'contractor pw',
        holder: { name: HOSTILE_KEY_NAME, role: 'it' },
        kdf: fastKdf,
      }),
    describeKeyAdd(HOSTILE_KEY_NAME),
    audit('2026-04-07T10:00:00Z'),
  );
  await auditOperation(
    repo,
    'key-remove',
    () => removeKey(repo, 'chair'),
    describeKeyRemove('chair'),
    audit('2026-07-01T10:00:00Z'),
  );
  await auditOperation(
    repo,
    'check',
    () => runCheck(repo),
    describeCheck('none'),
    audit('2026-10-05T03:00:00Z'),
  );

  const rto: RtoTarget[] = [
    { name: 'whole snapshot', target: '24h', targetMs: 24 * 3_600_000 },
    { name: 'finance', paths: [`${source}/Finance`], target: '4h', targetMs: 4 * 3_600_000 },
  ];
  const drill = async (iso: string, opts: Parameters<typeof runDrill>[1]): Promise<void> => {
    await saveDrillRecord(repo, await runDrill(repo, { ...opts, now: () => new Date(iso) }));
  };
  await drill('2026-03-10T10:00:00Z', { rto });
  await drill('2026-06-09T10:00:00Z', { rto, scope: { kind: 'sample', percent: 30, seed: '5eed' } });
  await drill('2026-09-08T10:00:00Z', {
    rto: [rto[0]!, { ...rto[1]!, target: '1ms', targetMs: 1 }],
  });
  return {
    dir,
    source,
    repo,
    drills: await listDrills(repo),
    job: { name: 'council', rto, retention: { weekly: 8, monthly: 12, yearly: 7 } },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
