// Why a job step failed, guessed from its exit code and coffer's own message, and what a clerk can do
// about it. Exit codes are definite (README, "Exit codes"); the message is read only for exit 1, where
// the storage layer's wording tells credentials, clock, a missing bucket and a dead network apart.

import { inConfig, SETUP } from './wording.js';

export type FailureCause =
  | 'wrong-password'
  | 'no-repository'
  | 'locked'
  | 'admin-key-required'
  | 'files-unreadable'
  | 'interrupted'
  | 'invalid-config'
  | 'credentials-refused'
  | 'clock-wrong'
  | 'bucket-missing'
  | 'secret-unavailable'
  | 'disk-full'
  | 'repository-damaged'
  | 'storage-unreachable'
  | 'unknown';

export interface FailureAdvice {
  readonly cause: FailureCause;
  /** One sentence: what coffer thinks went wrong. */
  readonly diagnosis: string;
  /** What to do, addressed to the clerk. */
  readonly advice: string;
}

export interface FailureFacts {
  readonly job: string;
  readonly message: string;
  /** null when the step was killed by a signal. */
  readonly exitCode: number | null;
  readonly configPath?: string;
}

const BY_EXIT_CODE: Readonly<Record<number, FailureCause>> = {
  2: 'invalid-config',
  3: 'files-unreadable',
  10: 'no-repository',
  11: 'locked',
  12: 'wrong-password',
  13: 'admin-key-required',
  130: 'interrupted',
};

/** Tried in order on the message of a plain failure (exit 1); the first match wins. */
const BY_MESSAGE: readonly (readonly [RegExp, FailureCause])[] = [
  [/clock differs|RequestTimeTooSkewed/i, 'clock-wrong'],
  [
    /credentials were refused|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|access denied|no S3 credentials/i,
    'credentials-refused',
  ],
  [/bucket \S+ does not exist|NoSuchBucket/i, 'bucket-missing'],
  // the wording of PasswordUnavailableError (config/secret-ref.ts, config/password.ts)
  [
    /environment variable \S+ is not set|: file \S+ (does not exist|cannot be read)|cannot read the password file|^no password|(password|key|token)\b.* is empty|: command "[^"]*" failed/i,
    'secret-unavailable',
  ],
  [/ENOSPC|no space left/i, 'disk-full'],
  [/damaged|corrupt|tampered|failed authentication/i, 'repository-damaged'],
  [
    /cannot resolve host|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|did not answer|unreachable|socket hang up|unavailable|after \d+ (tries|attempts)/i,
    'storage-unreachable',
  ],
];

export function classifyFailure(exitCode: number | null, message: string): FailureCause {
  if (exitCode === null) return 'interrupted';
  const byCode = BY_EXIT_CODE[exitCode];
  if (byCode) return byCode;
  return BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1] ?? 'unknown';
}

export function adviseOnFailure(facts: FailureFacts): FailureAdvice {
  const cause = classifyFailure(facts.exitCode, facts.message);
  return { cause, ...WORDS[cause](facts) };
}

type Words = (f: FailureFacts) => Omit<FailureAdvice, 'cause'>;

const STATUS_LOG = "coffer's log (`journalctl -u coffer`)";

const WORDS: Readonly<Record<FailureCause, Words>> = {
  'wrong-password': (f) => ({
    diagnosis: "The password coffer was given does not open the council's backup repository.",
    advice:
      `Ask ${SETUP} to check the repository password for job "${f.job}" ${inConfig(f.configPath)}. ` +
      'If the password was changed on purpose (`coffer key passwd`), the file coffer reads it from must be updated too.',
  }),
  'no-repository': (f) => ({
    diagnosis:
      'coffer found no backup repository at its configured location: the storage bucket or folder may have been deleted or renamed, or its address changed.',
    advice:
      `Ask ${SETUP} to check the repository address for job "${f.job}" ${inConfig(f.configPath)} and that the storage account still exists. ` +
      "Do not create a new repository until you know what happened to the old one: it holds the council's earlier backups.",
  }),
  locked: (f) => ({
    diagnosis:
      'Another coffer task (perhaps a clean-up, or a restore on another computer) was using the backups, so this run could not go ahead.',
    advice:
      `Usually this clears by itself and the next run succeeds. If it happens again, run \`coffer unlock --job ${f.job}\` on this computer: ` +
      'it removes only locks left behind by coffer processes that have stopped.',
  }),
  'admin-key-required': (f) => ({
    diagnosis:
      'The repository is append-only and coffer was not given its admin key, so old backups could not be removed.',
    advice: `Ask ${SETUP} to check the admin credentials for job "${f.job}" ${inConfig(f.configPath)}. New backups are not affected.`,
  }),
  'files-unreadable': () => ({
    diagnosis:
      'Some files could not be read, usually because another program had them open or coffer was not allowed to read them. The backup was saved without them.',
    advice: `Find the files' names in ${STATUS_LOG}, close them or fix their permissions; the next backup will include them.`,
  }),
  interrupted: () => ({
    diagnosis:
      'The run was stopped before it finished (the computer was shutting down, or coffer was stopped).',
    advice:
      'Nothing to do if this was expected: the next run carries on where this one stopped. If it keeps happening, make sure the computer stays on at the scheduled time.',
  }),
  'invalid-config': () => ({
    diagnosis: "coffer's settings were refused as invalid.",
    advice: `Ask ${SETUP} to run \`coffer config check\` and correct what it reports.`,
  }),
  'credentials-refused': (f) => ({
    diagnosis:
      "The storage rejected coffer's access key: it may be wrong, expired, or withdrawn at the storage provider.",
    advice: `Ask ${SETUP} to check the access key for job "${f.job}" ${inConfig(f.configPath)}, and that it is still active at the storage provider.`,
  }),
  'clock-wrong': () => ({
    diagnosis: "The storage refused coffer's requests because this computer's clock is wrong.",
    advice:
      "Correct the computer's date, time and time zone (turn on automatic time setting), then run `coffer status`.",
  }),
  'bucket-missing': (f) => ({
    diagnosis: 'The storage bucket that holds the backups no longer exists, or coffer can no longer see it.',
    advice:
      `Contact ${SETUP} and the storage provider straight away: the bucket holds the council's earlier backups. ` +
      `Its address is ${inConfig(f.configPath)} (job "${f.job}").`,
  }),
  'secret-unavailable': (f) => ({
    diagnosis:
      'coffer could not read a password or key it needs: a file is missing or unreadable, or a setting is empty.',
    advice: `Ask ${SETUP} to check the secret named in coffer's message below, for job "${f.job}" ${inConfig(f.configPath)}.`,
  }),
  'disk-full': () => ({
    diagnosis: "This computer's disk is full.",
    advice: 'Free some space on the disk, then run `coffer status` after the next scheduled run.',
  }),
  'repository-damaged': (f) => ({
    diagnosis: 'coffer found damaged data in the backup repository.',
    advice:
      `Ask ${SETUP} to run \`coffer check --read-data --job ${f.job}\` and follow what it says. ` +
      'Do not run `coffer prune` until this is resolved.',
  }),
  'storage-unreachable': () => ({
    diagnosis:
      'coffer could not reach the backup storage: the internet connection may be down, or the storage service unavailable.',
    advice:
      'Check that this computer is connected to the internet. If it is, the storage provider may have a problem: check their status page. ' +
      'coffer tries again at the next scheduled run; `coffer status` shows whether that worked.',
  }),
  unknown: () => ({
    diagnosis: 'coffer stopped with an error it has no specific advice for.',
    advice: `Run \`coffer status\` for the latest state and look at ${STATUS_LOG}. If it happens again, send this message to ${SETUP}.`,
  }),
};
