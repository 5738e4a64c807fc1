// Which command an argument list runs decides which command modules are loaded; help needs them all.

import { describe, expect, it } from 'vitest';
import { commandNamed, createProgram } from './program.js';
import type { CliIo } from './io.js';

const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} } as unknown as CliIo;

describe('commandNamed', () => {
  it('finds the command after global options and their values', () => {
    expect(commandNamed(['backup', '/srv'])).toBe('backup');
    expect(commandNamed(['-r', '/srv/repo', 'snapshots', '--json'])).toBe('snapshots');
    expect(commandNamed(['--repo', 'backup', 'restore', 'latest'])).toBe('restore');
    expect(commandNamed(['--job', 'weekly', '--config', 'c.yaml', 'key', 'list'])).toBe('key');
    expect(commandNamed(['--repo=/srv/repo', '-v', 'check'])).toBe('check');
  });

  it('gives up for help, versions and mistakes', () => {
    expect(commandNamed([])).toBeUndefined();
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['help', 'backup'])).toBeUndefined();
    expect(commandNamed(['bakcup'])).toBeUndefined();
    expect(commandNamed(['--', 'backup'])).toBeUndefined();
  });
});

describe('createProgram', () => {
  it('registers only the command being run, or every command when that is not clear', async () => {
    const one = await createProgram(io, ['-r', '/srv/repo', 'restore', 'latest']);
    expect(one.commands.map((c) => c.name())).toEqual(['restore']);
    const all = await createProgram(io, ['--help']);
    expect(all.commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['init', 'backup', 'restore', 'check', 'prune', 'daemon', 'drill', 'version']),
    );
    expect(all.commands.length).toBe(21);
  });
});
