import { describe, expect, it } from 'vitest';
import {
  CorruptObjectError,
  RepositoryExistsError,
  RepositoryNotFoundError,
  UnsupportedFormatError,
  WrongPasswordError,
} from '../../src/errors.js';
import { CONFIG_KEY, initRepository, objectKey, openRepository } from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { fastKdf, memRepo, TEST_PASSWORD } from '../helpers/repo.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('init and open', () => {
  it('opens with the password it was created with and gives the same master key and config', async () => {
    const created = await memRepo();
    const opened = await openRepository(created.storage, TEST_PASSWORD);
    expect(opened.config).toEqual(created.config);
    expect(opened.master).toEqual(created.master);
    expect(opened.keyId).toBe(created.keyId);
    expect(opened.warnings).toEqual([]);
  });

  it('refuses a wrong password with WrongPasswordError (exit 12)', async () => {
    const repo = await memRepo();
    const err = await openRepository(repo.storage, 'not the password').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongPasswordError);
    expect((err as WrongPasswordError).exitCode).toBe(12);
  });

  it('normalizes passwords to NFC, so decomposed accents open a key made with composed ones', async () => {
    const repo = await memRepo('caf\u00e9 au lait');
    await expect(openRepository(repo.storage, 'cafe\u0301 au lait')).resolves.toBeDefined();
  });

  it('stores nothing readable: no password, key name, host or user in any object', async () => {
    const storage = new MemoryStorage();
    await initRepository(storage, {
      password: 'SecretPass123',
      holder: { name: 'MrsClerkName', role: 'treasurer', host: 'parish-laptop-42', user: 'jsmith' },
      kdf: fastKdf,
    });
    for await (const { key } of storage.list('')) {
      const body = text(await storage.get(key));
      for (const secret of [
        'SecretPass123',
        'MrsClerkName',
        'treasurer',
        'parish-laptop-42',
        'jsmith',
        'zstd',
        'created',
      ]) {
        expect(body, `${key} contains ${secret}`).not.toContain(secret);
      }
    }
  });

  it('refuses to init where a repository exists and leaves it unchanged', async () => {
    const repo = await memRepo();
    const before = await repo.storage.get(CONFIG_KEY);
    const err = await memRepo('other', repo.storage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepositoryExistsError);
    expect(await repo.storage.get(CONFIG_KEY)).toEqual(before);
    await expect(openRepository(repo.storage, TEST_PASSWORD)).resolves.toBeDefined();
  });

  it('reports a missing repository with RepositoryNotFoundError (exit 10)', async () => {
    const err = await openRepository(new MemoryStorage(), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepositoryNotFoundError);
    expect((err as RepositoryNotFoundError).exitCode).toBe(10);
  });

  it('refuses a repository of a newer format version with a message to upgrade', async () => {
    const repo = await memRepo();
    const env = JSON.parse(text(await repo.storage.get(CONFIG_KEY))) as Record<string, unknown>;
    await repo.storage.put(CONFIG_KEY, bytes(JSON.stringify({ ...env, version: 2 })));
    const err = await openRepository(repo.storage, TEST_PASSWORD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedFormatError);
    expect((err as Error).message).toMatch(/format version 2.*upgrade coffer/);
  });

  it('detects an outer version lowered to hide a change (inner and outer must agree)', async () => {
    const repo = await memRepo();
    const env = JSON.parse(text(await repo.storage.get(CONFIG_KEY))) as Record<string, unknown>;
    // A forged envelope claiming version 1 around the real payload still opens; one claiming 0 is refused.
    await repo.storage.put(CONFIG_KEY, bytes(JSON.stringify({ ...env, version: 0 })));
    await expect(openRepository(repo.storage, TEST_PASSWORD)).rejects.toBeInstanceOf(CorruptObjectError);
  });

  it('reports a damaged config as damaged, not as a wrong password', async () => {
    const repo = await memRepo();
    const env = JSON.parse(text(await repo.storage.get(CONFIG_KEY))) as { data: string };
    const box = Buffer.from(env.data, 'base64');
    box[box.length - 20]! ^= 0x01;
    await repo.storage.put(CONFIG_KEY, bytes(JSON.stringify({ ...env, data: box.toString('base64') })));
    const err = await openRepository(repo.storage, TEST_PASSWORD).catch((e: unknown) => e);
    // The only key now cannot open the config: the message names the other-repository case.
    expect(err).toBeInstanceOf(WrongPasswordError);
    expect((err as Error).message).toMatch(/belongs to another repository/);
  });

  it('reports a config that is not JSON as damaged', async () => {
    const repo = await memRepo();
    await repo.storage.put(CONFIG_KEY, bytes('garbage{'));
    const err = await openRepository(repo.storage, TEST_PASSWORD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptObjectError);
    expect((err as Error).message).toMatch(/repository config is damaged/);
  });

  it('skips a damaged key file with a warning and opens with another', async () => {
    const repo = await memRepo();
    const { addKey } = await import('../../src/repository/index.js');
    await addKey(repo, { password: 'second password', holder: { name: 'chair' }, kdf: fastKdf });
    const key = objectKey('key', repo.keyId);
    const damaged = await repo.storage.get(key);
    damaged[10]! ^= 0xff;
    await repo.storage.put(key, damaged);
    const opened = await openRepository(repo.storage, 'second password');
    expect(opened.warnings.join('\n')).toMatch(/keys\/[0-9a-f]+ is damaged/);
    await expect(openRepository(repo.storage, TEST_PASSWORD)).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('names a key file copied from another repository instead of opening with it', async () => {
    const a = await memRepo();
    const b = await memRepo();
    // Replace a's only key with b's key file (same password): the master key it opens belongs to b.
    await a.storage.delete(objectKey('key', a.keyId));
    const foreign = objectKey('key', b.keyId);
    await a.storage.put(foreign, await b.storage.get(foreign));
    const err = await openRepository(a.storage, TEST_PASSWORD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongPasswordError);
    expect((err as Error).message).toMatch(
      /keys\/[0-9a-f]+ opens with this password but belongs to another repository/,
    );
  });

  it('says so when a repository has no key files at all', async () => {
    const repo = await memRepo();
    await repo.storage.delete(objectKey('key', repo.keyId));
    await expect(openRepository(repo.storage, TEST_PASSWORD)).rejects.toThrow(/has no key files/);
  });
});
