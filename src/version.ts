// The program's version, recorded in snapshots and printed by `coffer version`.

import { readFileSync } from 'node:fs';

function readPackageVersion(): string {
  // Two levels up from both src/ (tests) and dist/src/ (built) reaches a package.json; take the one named coffer.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'coffer' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0-unknown';
}

export const PROGRAM_VERSION = readPackageVersion();
