// coffer daemon [--once] [--print-unit]: run the config's jobs on their schedules, in the foreground
// (under systemd), or once for cron; or print the systemd unit that runs it.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadCofferConfig, parseConfigDuration } from '../../src/config/index.js';
import {
  Daemon,
  DEFAULT_CATCH_UP_MAX_DELAY_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  journalLog,
  renderSystemdUnit,
  sendNotice,
} from '../../src/daemon/index.js';
import { UsageError } from '../../src/errors.js';
import { parseLocation } from '../../src/storage/index.js';
import { configFor, configPathFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printLine } from '../render.js';

interface DaemonFlags {
  once?: boolean;
  printUnit?: boolean;
  catchUpDelay?: string;
}

// The CLI's entry script, which the daemon starts again for each step of a job.
const CLI_ENTRY = fileURLToPath(new URL('../main.js', import.meta.url));

export function register(program: Command, io: CliIo): void {
  program
    .command('daemon')
    .description(
      "run the config file's jobs on their schedules: backup, then forget and prune by the retention policy, then the check; in the foreground, logging to stdout for journald",
    )
    .option(
      '--once',
      'run every job that is due now (missed runs included), then exit: for cron instead of systemd',
    )
    .option('--print-unit', 'print a systemd unit that runs this daemon, with the paths of this installation')
    .option(
      '--catch-up-delay <duration>',
      `the longest random wait before catching up runs missed while the daemon was down, e.g. 10min or 0 (default ${DEFAULT_CATCH_UP_MAX_DELAY_MS / 60_000}min)`,
    )
    .addHelpText(
      'after',
      `
One daemon runs per config (a second one exits with code 11). Each step of a job runs as a separate
coffer process. SIGTERM or Ctrl-C stops it: a running backup is stopped cleanly (no snapshot is
written) within ${DEFAULT_STOP_TIMEOUT_MS / 1000} seconds, after which it is killed; the repository stays consistent either way.
SIGHUP re-reads the config (an invalid one is logged and the old one kept). See docs/daemon.md.
Exit codes: 0 stopped normally (--once: every run succeeded), 1 a run failed (--once), 2 invalid config,
11 a daemon already runs for this config.`,
    )
    .action(async (flags: DaemonFlags, self: Command) => {
      const configPath = path.resolve(configPathFor(self, io));
      if (flags.printUnit) return printUnit(io, self, configPath);
      const catchUpMaxDelayMs = flags.catchUpDelay === undefined ? undefined : parseDelay(flags.catchUpDelay);
      const log = journalLog(io.stdout);
      const daemon = new Daemon({
        configPath,
        loadConfig: (p) => loadCofferConfig(p),
        coffer: { execPath: process.execPath, prefixArgs: [CLI_ENTRY] },
        env: io.env,
        log,
        notify: (config, notice) => sendNotice(config, notice, { env: io.env, log }),
        signal: io.signal,
        ...(catchUpMaxDelayMs !== undefined ? { catchUpMaxDelayMs } : {}),
      });
      if (flags.once) {
        const result = await daemon.runOnce();
        log.info(
          `coffer daemon --once: ${result.ran} run${result.ran === 1 ? '' : 's'}, ${result.failed} failed`,
        );
        if (result.failed > 0) process.exitCode = 1;
        return;
      }
      const reload = (): void => daemon.reload();
      process.on('SIGHUP', reload);
      try {
        await daemon.run();
      } finally {
        process.off('SIGHUP', reload);
      }
    });
}

async function printUnit(io: CliIo, self: Command, configPath: string): Promise<void> {
  // The state folder and local repositories come from the config when it can be read.
  const config = await configFor(self, io).catch(() => undefined);
  const localRepositories = (config?.jobs ?? []).flatMap((job) => {
    const location = parseLocation(job.repository);
    return location.scheme === 'local' ? [location.path] : [];
  });
  io.stdout.write(
    renderSystemdUnit({
      command: [process.execPath, CLI_ENTRY],
      configPath,
      stateDir: config?.stateDir ?? '/var/lib/coffer',
      writablePaths: [...new Set(localRepositories)],
    }),
  );
  if (!config) printLine(io, `# (${configPath} could not be read: check the state folder above)`);
}

function parseDelay(text: string): number {
  if (/^0+(min|h|d)?$/.test(text.trim())) return 0;
  try {
    return parseConfigDuration(text);
  } catch (err) {
    throw new UsageError(`--catch-up-delay ${text}: ${(err as Error).message}`);
  }
}
