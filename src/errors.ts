// Typed errors with stable codes and the exit status the CLI maps them to (DESIGN.md, "CLI conventions").

export type ExitCode = 0 | 1 | 2 | 3 | 10 | 11 | 12 | 13 | 130;

export abstract class CofferError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Something the user asked for cannot be done as asked (bad option value, bad location). Exit 2. */
export class UsageError extends CofferError {
  readonly code = 'COFFER_E_USAGE';
  readonly exitCode = 2;
}

/** A general failure the user can act on. Exit 1. */
export class OperationFailedError extends CofferError {
  readonly code = 'COFFER_E_FAILED';
  readonly exitCode = 1;
}

/** No repository (no config object) at the location. Exit 10. */
export class RepositoryNotFoundError extends CofferError {
  readonly code = 'COFFER_E_REPO_NOT_FOUND';
  readonly exitCode = 10;
}

/** `init` found a repository already there; nothing was changed. Exit 1. */
export class RepositoryExistsError extends CofferError {
  readonly code = 'COFFER_E_REPO_EXISTS';
  readonly exitCode = 1;
}

/** No key file opens with the given password. Exit 12. */
export class WrongPasswordError extends CofferError {
  readonly code = 'COFFER_E_WRONG_PASSWORD';
  readonly exitCode = 12;
}

/** A lock is held by someone else. Exit 11. */
export class LockFailedError extends CofferError {
  readonly code = 'COFFER_E_LOCKED';
  readonly exitCode = 11;
}

/** An object failed authentication, parsing or its id check: the repository is damaged or tampered with. Exit 1. */
export class CorruptObjectError extends CofferError {
  readonly code = 'COFFER_E_CORRUPT';
  readonly exitCode = 1;
}

/** An append-only repository refused a removal because it was not opened with an admin key. Exit 13. */
export class AdminKeyRequiredError extends CofferError {
  readonly code = 'COFFER_E_ADMIN_REQUIRED';
  readonly exitCode = 13;
}

/** The repository uses a format version this program does not understand. Exit 1. */
export class UnsupportedFormatError extends CofferError {
  readonly code = 'COFFER_E_FORMAT_VERSION';
  readonly exitCode = 1;
}

/** No password could be obtained (no environment variable, no file, no terminal). Exit 1. */
export class PasswordUnavailableError extends CofferError {
  readonly code = 'COFFER_E_NO_PASSWORD';
  readonly exitCode = 1;
}

/**
 * The config file is missing, unreadable, invalid or unsafe. `problems` holds one line per problem
 * (`coffer.yaml:12:5: jobs.documents.retention.keep-weekly: expected a whole number, got "fifty"`). Exit 2.
 */
export class ConfigError extends CofferError {
  readonly code = 'COFFER_E_CONFIG';
  readonly exitCode = 2;
  readonly problems: readonly string[];

  constructor(message: string, options?: { cause?: unknown; problems?: readonly string[] }) {
    super(message, options);
    this.problems = options?.problems ?? [message];
  }
}

/** Another `coffer daemon` already runs for this config (its pid lock is held by a live process). Exit 11. */
export class DaemonAlreadyRunningError extends CofferError {
  readonly code = 'COFFER_E_DAEMON_RUNNING';
  readonly exitCode = 11;
}

/** Ctrl-C or SIGTERM stopped the operation. Exit 130. */
export class InterruptedError extends CofferError {
  readonly code = 'COFFER_E_INTERRUPTED';
  readonly exitCode = 130;
}
