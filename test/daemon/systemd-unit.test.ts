// The shipped unit (docs/systemd/coffer.service) is what the code renders with the default paths, and
// `coffer daemon --print-unit` prints it with this installation's paths; systemd accepts both.

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STOP_TIMEOUT_MS, renderSystemdUnit } from '../../src/daemon/index.js';
import { coffer, COFFER_BIN, tempDir } from '../helpers/cli.js';

const SHIPPED = new URL('../../docs/systemd/coffer.service', import.meta.url);
let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('coffer-unit-');
});
afterAll(() => dir.cleanup());

/** systemd-analyze verify, where systemd is installed; undefined where it is not. */
async function systemdVerdict(unit: string): Promise<string | undefined> {
  const file = join(dir.path, `check-${Math.random().toString(36).slice(2)}.service`);
  // ExecStart must name a program that exists on this machine for verify to pass.
  await writeFile(file, unit.replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'));
  try {
    const { stderr } = await promisify(execFile)('systemd-analyze', ['verify', file]);
    return stderr.trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return String((err as { stderr?: string }).stderr ?? err);
  }
}

describe('systemd unit', () => {
  it('docs/systemd/coffer.service is the rendered default unit', async () => {
    expect(await readFile(SHIPPED, 'utf8')).toBe(renderSystemdUnit());
  });

  it('stops the daemon alone with SIGTERM, waits longer than the step limit, and restricts writes', () => {
    const unit = renderSystemdUnit();
    expect(unit).toMatch(/^Type=simple$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^KillMode=mixed$/m);
    const stopS = Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1]);
    expect(stopS * 1000).toBeGreaterThan(DEFAULT_STOP_TIMEOUT_MS);
    for (const line of [
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/coffer',
      'NoNewPrivileges=true',
      'PrivateTmp=true',
    ])
      expect(unit).toContain(`\n${line}\n`);
    expect(unit).not.toMatch(/\.timer|OnCalendar/);
  });

  it('--print-unit names this node, this coffer, the config, its state folder and local repositories', async () => {
    const config = join(dir.path, 'my configs', 'coffer.yaml');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir.path, 'my configs')));
    await writeFile(
      config,
      `state-dir: ${join(dir.path, 'state')}\njobs:\n  docs:\n    repository: ${join(dir.path, 'repo')}\n    password: { file: /etc/coffer/pass }\n    sources: [/srv/docs]\n`,
    );
    const r = await coffer(['daemon', '--print-unit', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`ExecStart=${process.execPath} ${COFFER_BIN} daemon --config "${config}"\n`);
    expect(r.stdout).toContain(`ReadWritePaths=${join(dir.path, 'state')}\n`);
    expect(r.stdout).toContain(`ReadWritePaths=${join(dir.path, 'repo')}\n`);
    expect(r.stdout).not.toContain('StateDirectory=');
    const verdict = await systemdVerdict(r.stdout);
    if (verdict !== undefined) expect(verdict).toBe('');
    const shipped = await systemdVerdict(renderSystemdUnit());
    if (shipped !== undefined) expect(shipped).toBe('');
  });
});
