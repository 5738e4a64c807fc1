// The commander program: global options and one register() per command; no business logic here.

import { Command } from 'commander';
import { PROGRAM_VERSION } from '../src/version.js';
import * as backup from './commands/backup.js';
import * as check from './commands/check.js';
import * as init from './commands/init.js';
import * as forget from './commands/forget.js';
import * as unlock from './commands/unlock.js';
import * as prune from './commands/prune.js';
import * as rewrite from './commands/rewrite.js';
import * as key from './commands/key.js';
import * as snapshots from './commands/snapshots.js';
import * as restore from './commands/restore.js';
import * as ls from './commands/ls.js';
import * as find from './commands/find.js';
import * as versions from './commands/versions.js';
import * as diff from './commands/diff.js';
import * as dump from './commands/dump.js';
import * as config from './commands/config.js';
import * as log from './commands/log.js';
import * as version from './commands/version.js';
import * as daemon from './commands/daemon.js';
import * as status from './commands/status.js';
import * as drill from './commands/drill.js';
import type { CliIo } from './io.js';

export function createProgram(io: CliIo): Command {
  const program = new Command('coffer')
    .description(
      'Encrypted, versioned backups and disaster-recovery drills for councils and small organisations',
    )
    .version(PROGRAM_VERSION, '-V, --version', 'print the version')
    .option(
      '-r, --repo <location>',
      'repository: /path, local:/path, s3:https://host/bucket[/prefix] or s3:bucket[/prefix] (or COFFER_REPOSITORY)',
    )
    .option(
      '--config <file>',
      'the config file (or COFFER_CONFIG; default ~/.config/coffer/coffer.yaml, /etc/coffer/coffer.yaml for root)',
    )
    .option('--job <name>', 'use a job of the config file: its repository, password and S3 credentials')
    .option(
      '--admin-credentials <profile>',
      'AWS profile for forget, prune and rewrite, which delete (or COFFER_ADMIN_PROFILE)',
    )
    .option('--json', 'print results as JSON')
    .option('-v, --verbose', 'show more detail, including the causes of errors')
    .showHelpAfterError('(run "coffer --help" for the commands and options)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText(
      'after',
      `
Passwords come from COFFER_PASSWORD_FILE, COFFER_PASSWORD, a prompt, or with --job the job's
password reference; never from a flag.
Exit codes: 0 ok, 1 failure, 2 usage, 3 some files unreadable, 10 no repository,
11 repository locked, 12 wrong password, 13 admin key required, 130 interrupted.`,
    );
  for (const command of [
    init,
    backup,
    snapshots,
    restore,
    ls,
    find,
    versions,
    diff,
    dump,
    check,
    forget,
    prune,
    rewrite,
    unlock,
    key,
    log,
    config,
    daemon,
    status,
    drill,
    version,
  ])
    command.register(program, io);
  // Subcommands inherit the overrides so their usage errors also come back as exceptions.
  for (const sub of allCommands(program))
    sub.exitOverride().showHelpAfterError().configureOutput(program.configureOutput());
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}
