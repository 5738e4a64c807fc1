// Where the config file and the daemon's state live by default: system-wide for root (the systemd
// service), per user otherwise, following the XDG base directory conventions.

import os from 'node:os';
import path from 'node:path';

export const SYSTEM_CONFIG_PATH = '/etc/coffer/coffer.yaml';
export const SYSTEM_STATE_DIR = '/var/lib/coffer';

export interface UserContext {
  readonly env: NodeJS.ProcessEnv;
  /** Effective user id; 0 is root. */
  readonly uid: number;
  readonly homedir?: string;
}

export function currentUser(env: NodeJS.ProcessEnv = process.env): UserContext {
  return { env, uid: process.getuid?.() ?? -1, homedir: os.homedir() };
}

/**
 * The config file to read when --config is not given: COFFER_CONFIG, else /etc/coffer/coffer.yaml for
 * root, else $XDG_CONFIG_HOME/coffer/coffer.yaml or ~/.config/coffer/coffer.yaml.
 */
export function defaultConfigPath(env: NodeJS.ProcessEnv, uid: number, homedir = os.homedir()): string {
  if (env.COFFER_CONFIG) return env.COFFER_CONFIG;
  if (uid === 0) return SYSTEM_CONFIG_PATH;
  return path.join(xdg(env.XDG_CONFIG_HOME) ?? path.join(homedir, '.config'), 'coffer', 'coffer.yaml');
}

/** /var/lib/coffer for root, else $XDG_STATE_HOME/coffer or ~/.local/state/coffer. */
export function defaultStateDir(user: UserContext): string {
  if (user.uid === 0) return SYSTEM_STATE_DIR;
  const home = user.homedir ?? os.homedir();
  return path.join(xdg(user.env.XDG_STATE_HOME) ?? path.join(home, '.local', 'state'), 'coffer');
}

// The XDG spec says relative values are invalid and must be ignored.
function xdg(value: string | undefined): string | undefined {
  return value && path.isAbsolute(value) ? value : undefined;
}
