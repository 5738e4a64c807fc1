// Append-only repositories (docs/immutability.md): removing anything needs a key with an admin role.
// A client-side safeguard: whoever holds any key holds the master key and could forge an admin key file;
// the server-side guarantee is Object Lock with split credentials.

import { AdminKeyRequiredError } from '../errors.js';
import type { RepositoryConfig } from './config.js';

/** The role of the key `init --append-only` makes, and of keys that may remove things. */
export const ADMIN_ROLE = 'admin';
/** The recovery key (the council's sheet in the safe) may do whatever an admin may. */
const ADMIN_ROLES: ReadonlySet<string> = new Set([ADMIN_ROLE, 'recovery']);

interface OpenedWith {
  readonly config: RepositoryConfig;
  /** The role recorded in the key file the repository was opened with. */
  readonly role?: string;
}

/** Whether a key with `role` counts as an admin key. */
export function isAdminRole(role: string | undefined): boolean {
  return role !== undefined && ADMIN_ROLES.has(role);
}

/** Whether the repository, as opened, may remove things: always, unless it is append-only. */
export function mayRemove(repo: OpenedWith): boolean {
  return !repo.config.appendOnly || isAdminRole(repo.role);
}

/**
 * Refuses (exit 13) `operation` on an append-only repository opened with a key that is not an admin
 * key. Called by every operation that removes or replaces what is stored, so each entry point is covered.
 */
export function requireAdmin(repo: OpenedWith, operation: string): void {
  if (mayRemove(repo)) return;
  const role = repo.role ? `the "${repo.role}" key` : 'a key without a role';
  throw new AdminKeyRequiredError(
    `${operation} refused: this repository is append-only and was opened with ${role}. Ask the holder of the admin key to run it with that key's password`,
  );
}
