// The version-1 fixture with data must always open, list and read back to the recorded checksums.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSnapshots, openRepository } from '../../src/repository/index.js';
import { LocalStorage } from '../../src/storage/local.js';
import { readOnly } from '../../src/storage/read-only.js';
import { snapshotContents } from '../helpers/snapshot-contents.js';

const root = fileURLToPath(new URL('../fixtures/repo-v1-data', import.meta.url));
const SOURCE = '/tmp/coffer-fixture-src';

/** path (latin1, relative) -> sha256, from the sha256sum manifest (paths start with ./). */
function manifest(): Map<string, string> {
  const bytes = readFileSync(new URL('../fixtures/repo-v1-data.sha256', import.meta.url));
  return new Map(
    bytes
      .toString('latin1')
      .trim()
      .split('\n')
      .map((line) => [line.slice(66).replace(/^\.\//, ''), line.slice(0, 64)] as [string, string]),
  );
}

describe('fixture repository with data, format v1', () => {
  it('lists both snapshots with their metadata', async () => {
    const repo = await openRepository(readOnly(new LocalStorage(root)), 'fixture data password v1');
    const snaps = await loadSnapshots({ storage: repo.storage, master: repo.master });
    expect(snaps).toHaveLength(2);
    for (const s of snaps)
      expect(s.snapshot).toMatchObject({ host: 'fixture-host', tags: ['fixture'], paths: [SOURCE] });
    expect(snaps[1]!.snapshot.parent).toBe(snaps[0]!.id);
  });

  it('reads the latest snapshot back to exactly the recorded checksums, names, link and empty folder', async () => {
    const repo = await openRepository(readOnly(new LocalStorage(root)), 'fixture data password v1');
    const stored = await snapshotContents(repo, SOURCE);
    const files = new Map(
      [...stored].filter(([, e]) => e.type === 'file').map(([p, e]) => [p, e.contentSha256]),
    );
    expect(files).toEqual(manifest());
    for (const [p, e] of stored) if (e.type === 'file') expect(e.sha256, p).toBe(e.contentSha256);
    expect(stored.get('latest-minutes')).toMatchObject({
      type: 'symlink',
      target: 'Minutes/2026/january.txt',
    });
    expect(stored.get('Empty folder')).toMatchObject({ type: 'dir' });
    expect(stored.get('Finance/invoice-001.pdf')?.mode).toBe(0o600);
  });

  it('still holds the deleted file in the first snapshot', async () => {
    const repo = await openRepository(readOnly(new LocalStorage(root)), 'fixture data password v1');
    const [first] = await loadSnapshots({ storage: repo.storage, master: repo.master });
    const stored = await snapshotContents(repo, SOURCE, first!.id);
    expect(stored.get('empty.txt')).toMatchObject({
      type: 'file',
      contentSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });
});
