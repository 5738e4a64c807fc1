// loadCofferConfig: reading the file, refusing unsafe permissions, and where the file is looked for.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultConfigPath,
  defaultStateDir,
  loadCofferConfig,
  loadCofferConfigSync,
} from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const JOB = `jobs:
  documents:
    repository: /srv/backup/council
    password: { file: /etc/coffer/documents.pass }
    sources: [/srv/council/documents]
`;
const USER = { env: {}, uid: 1000, homedir: '/home/clerk' };

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('coffer-config-');
});
afterEach(() => dir.cleanup());

async function configFile(text: string, mode: number): Promise<string> {
  const file = join(dir.path, 'coffer.yaml');
  await writeFile(file, text);
  await chmod(file, mode); // explicitly: writeFile's mode is filtered by the umask
  return file;
}

async function refusal(file: string): Promise<ConfigError> {
  const err = await loadCofferConfig(file, { user: USER }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect(() => loadCofferConfigSync(file, { user: USER })).toThrow(ConfigError);
  return err as ConfigError;
}

describe('file permissions', () => {
  it('a config holding only references may be readable by everyone', async () => {
    const file = await configFile(
      `${JOB}notifications:\n  - webhook: { url: https://hooks.example.net/coffer, headers: { Authorization: { env: T } } }\n`,
      0o644,
    );
    const config = await loadCofferConfig(file, { user: USER });
    expect(config.path).toBe(file);
    expect(config.jobs[0]!.name).toBe('documents');
    expect(loadCofferConfigSync(file, { user: USER })).toEqual(config);
  });

  it('is refused when everyone can change it, with the chmod that fixes it', async () => {
    const file = await configFile(JOB, 0o666);
    const err = await refusal(file);
    expect(err.message).toBe(
      `refusing ${file}: every user of this computer can change it (mode 666), so anyone could redirect the backups or run commands through it. Fix: chmod 600 ${file} (or 644 if it holds no secrets)`,
    );
  });

  it('is refused when everyone can read it and it holds a webhook header value, without showing the value', async () => {
    const file = await configFile(
      `${JOB}notifications:\n  - webhook: { url: https://hooks.example.net/coffer, headers: { Authorization: "Bearer s3cr3t-token" } }\n`,
      0o604,
    );
    const err = await refusal(file);
    expect(err.message).toBe(
      `refusing ${file}: every user of this computer can read it (mode 604) and it holds secrets in notifications[0].webhook.headers.Authorization. Fix: chmod 600 ${file}, or move the secrets into files referred to with { file: ... }`,
    );
    expect(err.message).not.toContain('s3cr3t-token');
    await chmod(file, 0o600);
    const config = await loadCofferConfig(file, { user: USER });
    const channel = config.notifications[0]!.channel;
    expect(channel.type === 'webhook' && channel.headers).toEqual({ Authorization: 'Bearer s3cr3t-token' });
  });

  it('counts a token in a webhook URL (query string or user info) as a secret', async () => {
    for (const url of ['https://hooks.example.net/x?token=abc123', 'https://user:pa55@hooks.example.net/x']) {
      const file = await configFile(`${JOB}notifications:\n  - webhook: { url: "${url}" }\n`, 0o644);
      const err = await refusal(file);
      expect(err.message).toMatch(/holds secrets in notifications\[0\]\.webhook\.url/);
      expect(err.message).not.toContain('abc123');
      expect(err.message).not.toContain('pa55');
    }
  });

  it('group-readable is the owner’s choice', async () => {
    const file = await configFile(
      `${JOB}notifications:\n  - webhook: { url: "https://hooks.example.net/x?token=abc" }\n`,
      0o640,
    );
    await expect(loadCofferConfig(file, { user: USER })).resolves.toMatchObject({ path: file });
  });
});

describe('reading the file', () => {
  it('a missing file says how to make one', async () => {
    const file = join(dir.path, 'nowhere.yaml');
    const err = await refusal(file);
    expect(err.message).toBe(
      `the config file ${file} does not exist; write one (start from "coffer config example") or name another with --config FILE`,
    );
  });

  it('a folder is not a config file', async () => {
    await mkdir(join(dir.path, 'folder.yaml'));
    expect((await refusal(join(dir.path, 'folder.yaml'))).message).toMatch(/is a folder, not a file$/);
  });

  it('problems name the path as given', async () => {
    const file = await configFile(JOB.replace('[/srv/council/documents]', '[documents]'), 0o600);
    expect((await refusal(file)).problems).toEqual([
      `${file}:5:15: jobs.documents.sources[0]: expected a full path starting with /, got "documents"`,
    ]);
  });
});

describe('default places', () => {
  it('COFFER_CONFIG, then /etc/coffer for root, then XDG_CONFIG_HOME or ~/.config', () => {
    expect(defaultConfigPath({ COFFER_CONFIG: '/srv/c.yaml' }, 0, '/root')).toBe('/srv/c.yaml');
    expect(defaultConfigPath({}, 0, '/root')).toBe('/etc/coffer/coffer.yaml');
    expect(defaultConfigPath({}, 1000, '/home/clerk')).toBe('/home/clerk/.config/coffer/coffer.yaml');
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/home/clerk/cfg' }, 1000, '/home/clerk')).toBe(
      '/home/clerk/cfg/coffer/coffer.yaml',
    );
    // the XDG spec: a relative value is invalid and ignored
    expect(defaultConfigPath({ XDG_CONFIG_HOME: 'cfg' }, 1000, '/home/clerk')).toBe(
      '/home/clerk/.config/coffer/coffer.yaml',
    );
  });

  it('state: /var/lib/coffer for root, else XDG_STATE_HOME or ~/.local/state', () => {
    expect(defaultStateDir({ env: {}, uid: 0 })).toBe('/var/lib/coffer');
    expect(defaultStateDir(USER)).toBe('/home/clerk/.local/state/coffer');
    expect(defaultStateDir({ ...USER, env: { XDG_STATE_HOME: '/var/tmp/s' } })).toBe('/var/tmp/s/coffer');
  });
});
