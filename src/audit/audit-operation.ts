// Running an operation and appending one audit record of how it ended, without ever letting the record
// change the operation's own result.

import { InterruptedError } from '../errors.js';
import {
  appendAuditRecord,
  type AuditOperation,
  type AuditOutcome,
  type NewAuditRecord,
  type Repository,
} from '../repository/index.js';
import { keyNameOf } from './key-name.js';

/** How an operation ended, as `describe` sees it. */
export type OperationEnd<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: unknown; readonly outcome: 'failure' | 'interrupted' };

export interface AuditDescription {
  /** One plain sentence ("restore of latest:/srv/Minutes to /tmp/m: 12 files (3 MiB) restored and verified"). */
  readonly summary: string;
  /** Small, JSON: snapshot ids, counts, paths, target. Never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * For an operation that returned: 'partial' when it did only part of what was asked (backup exit 3),
   * 'failure' when it ran but found the repository wanting (check with errors). Thrown errors are
   * classified by auditOperation ('failure' or 'interrupted').
   */
  readonly outcome?: AuditOutcome;
}

export type Describe<T> = (end: OperationEnd<T>) => AuditDescription;

export interface AuditOptions {
  /** Told when the record could not be written (read-only credentials, storage down); the CLI prints it. */
  readonly onWarning: (message: string) => void;
  /** The operation's own signal: an error after it fired is recorded as 'interrupted'. */
  readonly signal?: AbortSignal;
  /** The clock for the record's time (tests inject one). */
  readonly now?: () => Date;
  /** false: run without recording (dry runs change nothing and take nothing out). Default true. */
  readonly record?: boolean;
  /** How long writing the record may take before it is given up (default 20 s). */
  readonly writeTimeoutMs?: number;
}

const DEFAULT_WRITE_TIMEOUT_MS = 20_000;

/**
 * Runs `fn`, then appends one audit record of its outcome and returns (or throws) exactly what `fn` did.
 * The key name is read before `fn` runs, since `fn` may change the keys (key passwd).
 */
export async function auditOperation<T>(
  repo: Repository,
  operation: AuditOperation,
  fn: () => Promise<T>,
  describe: Describe<T>,
  opts: AuditOptions,
): Promise<T> {
  if (opts.record === false) return fn();
  const keyName = keyNameOf(repo);
  let end: OperationEnd<T>;
  try {
    end = { ok: true, result: await fn() };
  } catch (error) {
    const interrupted = error instanceof InterruptedError || Boolean(opts.signal?.aborted);
    end = { ok: false, error, outcome: interrupted ? 'interrupted' : 'failure' };
  }
  const description = safeDescribe(describe, end, operation);
  await writeAuditRecord(
    repo,
    {
      operation,
      outcome: description.outcome ?? (end.ok ? 'success' : end.outcome),
      summary: description.summary,
      keyId: repo.keyId,
      keyName,
      ...(end.ok
        ? description.details && { details: description.details }
        : { details: { ...description.details, ...errorDetails(end.error) } }),
      ...(opts.now ? { time: opts.now().toISOString() } : {}),
    },
    opts,
  );
  if (!end.ok) throw end.error;
  return end.result;
}

/**
 * Appends one record, best effort: a failure is reported through `onWarning` and never thrown. Returns the
 * record's id, or undefined when it could not be written.
 */
export async function writeAuditRecord(
  repo: Pick<Repository, 'storage' | 'master'>,
  entry: NewAuditRecord,
  opts: Pick<AuditOptions, 'onWarning' | 'writeTimeoutMs'>,
): Promise<string | undefined> {
  try {
    // Its own timeout, not the operation's signal: an interrupted backup is still worth recording.
    return await appendAuditRecord(repo, entry, {
      signal: AbortSignal.timeout(opts.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS),
    });
  } catch (err) {
    opts.onWarning(
      `this ${entry.operation} could not be added to the audit log (${messageOf(err)}); the ${entry.operation} itself ${entry.outcome === 'success' || entry.outcome === 'partial' ? 'is not affected' : 'ended as reported'}`,
    );
    return undefined;
  }
}

function safeDescribe<T>(
  describe: Describe<T>,
  end: OperationEnd<T>,
  operation: AuditOperation,
): AuditDescription {
  try {
    return describe(end);
  } catch {
    // A summary is never worth losing the record (or the operation's result) over.
    return { summary: end.ok ? `${operation} done` : `${operation} failed: ${firstLine(end.error)}` };
  }
}

function errorDetails(error: unknown): Record<string, unknown> {
  const exitCode = (error as { exitCode?: unknown } | null)?.exitCode;
  return { error: firstLine(error), ...(typeof exitCode === 'number' ? { exitCode } : {}) };
}

/** The first line of an error's message, at most 500 characters: details stay small. */
export function firstLine(error: unknown): string {
  const line = messageOf(error).split('\n')[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Describe from the success case alone; a failure reads "`what` failed: <the error's first line>". */
export function describing<T>(
  what: string,
  askedFor: Readonly<Record<string, unknown>>,
  ok: (result: T) => AuditDescription,
): Describe<T> {
  return (end) =>
    end.ok ? ok(end.result) : { summary: `${what} failed: ${firstLine(end.error)}`, details: askedFor };
}
