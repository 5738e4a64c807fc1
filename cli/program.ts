// The commander program: global options and one register() per command; no business logic here.

import { Command } from 'commander';
import { PROGRAM_VERSION } from '../src/version.js';
import type { CliIo } from './io.js';

/** Every command, in the order `coffer --help` lists them; each module is loaded only when it is needed. */
const COMMANDS = {
  init: () => import('./commands/init.js'),
  backup: () => import('./commands/backup.js'),
  snapshots: () => import('./commands/snapshots.js'),
  restore: () => import('./commands/restore.js'),
  ls: () => import('./commands/ls.js'),
  find: () => import('./commands/find.js'),
  versions: () => import('./commands/versions.js'),
  diff: () => import('./commands/diff.js'),
  dump: () => import('./commands/dump.js'),
  check: () => import('./commands/check.js'),
  forget: () => import('./commands/forget.js'),
  prune: () => import('./commands/prune.js'),
  rewrite: () => import('./commands/rewrite.js'),
  unlock: () => import('./commands/unlock.js'),
  key: () => import('./commands/key.js'),
  log: () => import('./commands/log.js'),
  config: () => import('./commands/config.js'),
  daemon: () => import('./commands/daemon.js'),
  status: () => import('./commands/status.js'),
  drill: () => import('./commands/drill.js'),
  version: () => import('./commands/version.js'),
} satisfies Record<string, () => Promise<{ register(program: Command, io: CliIo): void }>>;

type CommandName = keyof typeof COMMANDS;

/** Global options that take a value as the next argument (`-r LOCATION`). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-r', '--repo', '--config', '--job', '--admin-credentials']);

/**
 * The command an argument list runs, when it is one we know: the first argument that is neither an option
 * nor an option's value. Undefined for help, --version and mistakes, which need every command.
 */
export function commandNamed(argv: readonly string[]): CommandName | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return Object.hasOwn(COMMANDS, arg) ? (arg as CommandName) : undefined;
  }
  return undefined;
}

/**
 * The program for `argv`: with only the command it runs registered when that is clear, since loading every
 * command's modules costs a short command most of its start-up time and memory; otherwise all of them.
 */
export async function createProgram(io: CliIo, argv: readonly string[] = []): Promise<Command> {
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
  const named = commandNamed(argv);
  const names = named ? [named] : (Object.keys(COMMANDS) as CommandName[]);
  const modules = await Promise.all(names.map((name) => COMMANDS[name]()));
  for (const command of modules) command.register(program, io);
  // Subcommands inherit the overrides so their usage errors also come back as exceptions.
  for (const sub of allCommands(program))
    sub.exitOverride().showHelpAfterError().configureOutput(program.configureOutput());
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}
