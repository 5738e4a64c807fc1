// The systemd unit for `coffer daemon`: docs/systemd/coffer.service is this text with the default paths
// (a test keeps the two the same), and `coffer daemon --print-unit` prints it with the real ones.

import { SYSTEM_CONFIG_PATH, SYSTEM_STATE_DIR } from '../config/index.js';
import { DEFAULT_STOP_TIMEOUT_MS } from './daemon.js';

export interface UnitPaths {
  /** The command that starts coffer, e.g. ["/usr/local/bin/coffer"] or [node, main.js]. */
  readonly command: readonly string[];
  readonly configPath: string;
  readonly stateDir: string;
  /** Folders the daemon must be able to write besides its state: local repositories. */
  readonly writablePaths?: readonly string[];
}

export const DEFAULT_UNIT_PATHS: UnitPaths = {
  command: ['/usr/local/bin/coffer'],
  configPath: SYSTEM_CONFIG_PATH,
  stateDir: SYSTEM_STATE_DIR,
};

// systemd gets this long to stop the daemon: the step's limit, plus time to record the state and exit.
const TIMEOUT_STOP_S = DEFAULT_STOP_TIMEOUT_MS / 1000 + 30;

export function renderSystemdUnit(paths: UnitPaths = DEFAULT_UNIT_PATHS): string {
  const execStart = [...paths.command, 'daemon', '--config', paths.configPath].map(quote).join(' ');
  const stateDirectory = paths.stateDir === SYSTEM_STATE_DIR ? ['StateDirectory=coffer'] : [];
  const writable = [paths.stateDir, ...(paths.writablePaths ?? [])].map((p) => `ReadWritePaths=${quote(p)}`);
  return `# coffer.service: the coffer backup daemon (see docs/daemon.md in the coffer package).
# Install:  coffer daemon --print-unit | sudo tee /etc/systemd/system/coffer.service
#           sudo systemctl daemon-reload && sudo systemctl enable --now coffer
# Reload the config:  sudo systemctl reload coffer      Log:  journalctl -u coffer
# No timer is needed: the daemon keeps the schedules of coffer.yaml itself.

[Unit]
Description=coffer encrypted backups (schedules, retention, checks, drills)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=${execStart}
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=30s
# SIGTERM goes to the daemon alone, which stops a running backup cleanly (no snapshot is written; the
# repository stays consistent), waits up to ${DEFAULT_STOP_TIMEOUT_MS / 1000} s for it, and exits.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=${TIMEOUT_STOP_S}s
# The daemon reads everything it backs up but writes only its state, its cache and local repositories.
# Add a ReadWritePaths= line for each local repository folder (coffer daemon --print-unit does).
ProtectSystem=strict
ProtectHome=read-only
${[...stateDirectory, ...writable].join('\n')}
CacheDirectory=coffer
Environment=COFFER_CACHE_DIR=/var/cache/coffer
PrivateTmp=true
NoNewPrivileges=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectControlGroups=true
RestrictSUIDSGID=true
LockPersonality=true
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

// systemd splits ExecStart on spaces unless a word is quoted.
function quote(word: string): string {
  return /[\s"'\\]/.test(word) ? `"${word.replace(/(["\\])/g, '\\$1')}"` : word;
}
