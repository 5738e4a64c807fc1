import { describe, expect, it } from 'vitest';
import { UsageError, WrongPasswordError } from '../../src/errors.js';
import {
  addKey,
  changePassword,
  createRecoveryKey,
  formatRecoveryKey,
  listKeys,
  openRepository,
  removeKey,
} from '../../src/repository/index.js';
import { fastKdf, memRepo, TEST_PASSWORD } from '../helpers/repo.js';

describe('key management', () => {
  it('adds a key that opens the same repository and lists both with their holders', async () => {
    const repo = await memRepo();
    const added = await addKey(repo, {
      password: 'chair pw',
      holder: { name: 'chair', role: 'councillor' },
      kdf: fastKdf,
    });
    const viaChair = await openRepository(repo.storage, 'chair pw');
    expect(viaChair.master).toEqual(repo.master);
    expect(viaChair.keyId).toBe(added.id);
    const keys = await listKeys(viaChair);
    expect(keys.map((k) => [k.name, k.role, k.current]).sort()).toEqual([
      ['chair', 'councillor', true],
      ['clerk', 'owner', false],
    ]);
    expect(keys.every((k) => k.kdf?.memoryKiB === fastKdf.memoryKiB)).toBe(true);
  });

  it('refuses a second key with the same name, and the reserved name "recovery"', async () => {
    const repo = await memRepo();
    await expect(
      addKey(repo, { password: 'x', holder: { name: 'clerk' }, kdf: fastKdf }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      addKey(repo, { password: 'x', holder: { name: 'recovery' }, kdf: fastKdf }),
    ).rejects.toBeInstanceOf(UsageError);
  });

  it('removes a key by name so its password no longer opens the repository', async () => {
    const repo = await memRepo();
    await addKey(repo, { password: 'contractor pw', holder: { name: 'it-contractor' }, kdf: fastKdf });
    const removed = await removeKey(repo, 'it-contractor');
    expect(removed.name).toBe('it-contractor');
    await expect(openRepository(repo.storage, 'contractor pw')).rejects.toBeInstanceOf(WrongPasswordError);
    expect((await listKeys(repo)).map((k) => k.name)).toEqual(['clerk']);
  });

  it('removes a key by id prefix', async () => {
    const repo = await memRepo();
    const added = await addKey(repo, { password: 'p2', holder: { name: 'chair' }, kdf: fastKdf });
    await removeKey(repo, added.id.slice(0, 10));
    expect(await listKeys(repo)).toHaveLength(1);
  });

  it('refuses to remove the key in use and the last key', async () => {
    const repo = await memRepo();
    await expect(removeKey(repo, 'clerk')).rejects.toThrow(/the key you opened the repository with/);
    await addKey(repo, { password: 'p2', holder: { name: 'chair' }, kdf: fastKdf });
    const asChair = await openRepository(repo.storage, 'p2');
    await removeKey(asChair, 'clerk');
    await expect(removeKey(asChair, 'chair')).rejects.toThrow(/the key you opened/);
    expect(await listKeys(asChair)).toHaveLength(1);
  });

  it('refuses an unknown or ambiguous key', async () => {
    const repo = await memRepo();
    await expect(removeKey(repo, 'nobody')).rejects.toThrow(/no key matches "nobody"/);
  });

  it('changes the password: the new one opens, the old one no longer does, the holder stays', async () => {
    const repo = await memRepo();
    const changed = await changePassword(repo, 'new secret', fastKdf);
    expect(changed.name).toBe('clerk');
    await expect(openRepository(repo.storage, TEST_PASSWORD)).rejects.toBeInstanceOf(WrongPasswordError);
    const reopened = await openRepository(repo.storage, 'new secret');
    expect(reopened.keyId).toBe(changed.id);
    expect((await listKeys(reopened)).map((k) => k.name)).toEqual(['clerk']);
  });

  it('makes a recovery key that opens the repository however it is typed', async () => {
    const repo = await memRepo();
    const { recoveryKey } = await createRecoveryKey(repo, { kdf: fastKdf });
    const printed = formatRecoveryKey(recoveryKey);
    expect(printed).toMatch(/^([0-9A-Z]{4}-){8}[0-9A-Z]{4}$/);
    for (const typed of [printed, recoveryKey, printed.toLowerCase(), printed.replaceAll('-', ' ')]) {
      const opened = await openRepository(repo.storage, typed);
      expect(opened.master).toEqual(repo.master);
    }
    const names = (await listKeys(repo)).map((k) => k.name).sort();
    expect(names).toEqual(['clerk', 'recovery']);
  });

  it('tells a recovery key with a typing mistake apart from a wrong password', async () => {
    const repo = await memRepo();
    const { recoveryKey } = await createRecoveryKey(repo, { kdf: fastKdf });
    const typo = (recoveryKey[0] === 'A' ? 'B' : 'A') + recoveryKey.slice(1);
    await expect(openRepository(repo.storage, typo)).rejects.toThrow(/typing mistake/);
  });

  it('refuses a second recovery key unless asked to replace it, then the old one stops working', async () => {
    const repo = await memRepo();
    const first = await createRecoveryKey(repo, { kdf: fastKdf });
    await expect(createRecoveryKey(repo, { kdf: fastKdf })).rejects.toThrow(/--replace/);
    const second = await createRecoveryKey(repo, { kdf: fastKdf, replace: true });
    expect(second.replaced.map((k) => k.id)).toEqual([first.key.id]);
    await expect(openRepository(repo.storage, first.recoveryKey)).rejects.toBeInstanceOf(WrongPasswordError);
    await expect(openRepository(repo.storage, second.recoveryKey)).resolves.toBeDefined();
  });
});
