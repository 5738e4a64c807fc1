// Repository locations: the accepted forms, refused credentials, and openStorage's choice of backend.

import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  LocalStorage,
  MemoryStorage,
  StorageError,
  formatLocation,
  openStorage,
  parseLocation,
  redactLocation,
} from '../../src/storage/index.js';

describe('parseLocation', () => {
  it.each([
    ['/srv/backup/coffer', { scheme: 'local', path: '/srv/backup/coffer' }],
    ['/srv/backup/coffer/', { scheme: 'local', path: '/srv/backup/coffer' }],
    ['local:/mnt/usb/coffer', { scheme: 'local', path: '/mnt/usb/coffer' }],
    ['relative/repo', { scheme: 'local', path: path.resolve('relative/repo') }],
    ['./odd:name', { scheme: 'local', path: path.resolve('odd:name') }],
    ['~/coffer', { scheme: 'local', path: path.join(os.homedir(), 'coffer') }],
    ['s3:council-backups', { scheme: 's3', bucket: 'council-backups', prefix: '' }],
    ['s3:council-backups/parish/docs/', { scheme: 's3', bucket: 'council-backups', prefix: 'parish/docs' }],
    ['s3://council-backups/parish', { scheme: 's3', bucket: 'council-backups', prefix: 'parish' }],
    [
      's3:https://s3.eu-central-003.backblazeb2.com/my-bucket/coffer',
      {
        scheme: 's3',
        endpoint: 'https://s3.eu-central-003.backblazeb2.com',
        bucket: 'my-bucket',
        prefix: 'coffer',
      },
    ],
    [
      's3:http://127.0.0.1:9000/test',
      { scheme: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'test', prefix: '' },
    ],
    ['memory:', { scheme: 'memory' }],
  ])('%s', (input, expected) => {
    expect(parseLocation(input)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['s3:', /bucket name is missing/],
    ['s3:https://host.example', /bucket name is missing/],
    ['s3:https://host.example/b', /not a valid bucket name/],
    ['s3:bucket/with space', /prefix may hold only/],
    ['s3:bucket/a/../b', /prefix may hold only/],
    ['s3:https://host.example/bucket?x=1', /query strings/],
    ['sftp:host:/backups', /unknown location type "sftp:"/],
    ['https://host.example/bucket', /s3:https:\/\/host\/bucket/],
    ['local:', /folder is missing/],
  ])('refuses %j with a UsageError listing the accepted forms', (input, why) => {
    const err = (() => {
      try {
        parseLocation(input);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain('Accepted forms: /absolute/folder');
  });

  it.each([
    's3:https://AKIAEXAMPLE:wJalrXUtnFEMI@s3.example.com/bucket',
    's3:https://AKIAEXAMPLE:wJalr/XUtnFEMI@s3.example.com/bucket',
    's3:https://AKIAEXAMPLE@s3.example.com/bucket',
    's3:AKIAEXAMPLE:wJalrXUtnFEMI@bucket/prefix',
    'https://AKIAEXAMPLE:wJalrXUtnFEMI@s3.example.com/bucket',
    'ftp://AKIAEXAMPLE:wJalrXUtnFEMI@host/x',
  ])('refuses credentials in %s without repeating them', (input) => {
    const err = (() => {
      try {
        parseLocation(input);
      } catch (e) {
        return e;
      }
    })() as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).not.toContain('wJalr');
    expect(err.message).not.toContain('AKIAEXAMPLE');
  });

  it('says where credentials belong', () => {
    expect(() => parseLocation('s3:https://k:s@host.example/bucket')).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  });
});

describe('redactLocation and formatLocation', () => {
  it('hides userinfo, even with slashes in the secret', () => {
    expect(redactLocation('s3:https://key:secret@host/bucket')).toBe('s3:https://***@host/bucket');
    expect(redactLocation('s3:https://key:se/cr/et@host/bucket')).toBe('s3:https://***@host/bucket');
    expect(redactLocation('/plain/path')).toBe('/plain/path');
  });

  it.each(['s3:bucket/prefix', 's3:bucket', 's3:http://127.0.0.1:9000/bk1/p/q', '/srv/coffer', 'memory:'])(
    'round-trips %s',
    (input) => {
      expect(formatLocation(parseLocation(input))).toBe(input);
    },
  );
});

describe('openStorage', () => {
  it('picks the backend by scheme, and reports the canonical location', () => {
    expect(openStorage('/srv/coffer', { retry: false })).toBeInstanceOf(LocalStorage);
    expect(openStorage('memory:', { retry: false })).toBeInstanceOf(MemoryStorage);
    expect(openStorage('local:/srv/coffer').location).toBe('/srv/coffer');
    expect(openStorage('s3:bucket/council').location).toBe('s3:bucket/council');
    expect(openStorage('s3:http://127.0.0.1:9000/bkt/p').location).toBe('s3:http://127.0.0.1:9000/bkt/p');
    expect(openStorage({ scheme: 's3', bucket: 'bkt', prefix: '' }).location).toBe('s3:bkt');
  });

  it('wraps in withRetry unless told not to', async () => {
    const wrapped = openStorage('memory:');
    expect(wrapped).not.toBeInstanceOf(MemoryStorage);
    await wrapped.put('k', Uint8Array.of(1));
    expect(await wrapped.get('k')).toEqual(Uint8Array.of(1));
  });

  it('throws UsageError for a bad location', () => {
    expect(() => openStorage('nope:thing')).toThrow(UsageError);
  });

  it('opens read-only when asked: reads work, writes are refused before reaching the backend', async () => {
    const storage = openStorage('memory:', { readOnly: true });
    await expect(storage.get('k')).rejects.toThrow(/does not exist/);
    expect(await storage.stat('k')).toBeUndefined();
    for (const write of [storage.put('k', Uint8Array.of(1)), storage.delete('k'), storage.create!()]) {
      const err = await write.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/the repository is opened read-only/);
      expect((err as StorageError).transient).toBe(false);
    }
    expect(storage.location).toBe('memory:');
  });
});
