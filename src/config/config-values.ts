// The value types a coffer.yaml is made of (durations, cron expressions, paths, percentages...), as zod
// schemas whose messages a clerk can act on. Values are echoed back in messages only where they cannot be
// secrets; a secret reference's inline value never is.

import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { CofferError } from '../errors.js';
import { parseDuration } from '../retention/policy.js';
import { parseLocation } from '../storage/location.js';
import { parseConfigDuration } from './config-duration.js';
import type { SecretRef } from './job-types.js';

/** How a value that did not fit is described: `"fifty"`, `12`, `a list`, `nothing`. */
export function describeInput(input: unknown): string {
  if (input === undefined || input === null) return 'nothing';
  if (typeof input === 'string')
    return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return Array.isArray(input) ? 'a list' : 'a mapping';
}

/** An error function for a value of the wrong type: `expected <what>, got "x"`, or `missing: <what>`. */
export function expected(what: string): {
  error: (issue: { code?: string; input?: unknown }) => string | undefined;
} {
  return {
    error: (issue) =>
      issue.code !== 'invalid_type'
        ? undefined
        : issue.input === undefined
          ? `missing: give ${what}`
          : `expected ${what}, got ${describeInput(issue.input)}`,
  };
}

type Ctx = z.RefinementCtx;

function refuse(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', message, input: undefined });
  return z.NEVER;
}

/** Runs a parser that throws coffer's usage errors and turns the error into a schema issue. */
function parsed(ctx: Ctx, parse: () => number, message: (why: string) => string): number {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof CofferError)) throw err;
    return refuse(ctx, message(err.message));
  }
}

export const text = z.string(expected('some text')).min(1, 'must not be empty');

export const flag = z.boolean(expected('true or false'));

export const wholeNumber = z
  .int(expected('a whole number'))
  .min(0, { error: (i) => `expected a whole number of 0 or more, got ${describeInput(i.input)}` });

export function listOf<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, expected(`a list of ${what}, such as [a, b]`));
}

export const absolutePath = z
  .string(expected('a full path, such as /srv/council/documents'))
  .refine((p) => path.isAbsolute(p), {
    error: (i) => `expected a full path starting with /, got ${describeInput(i.input)}`,
  })
  .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p));

/** 24h, 30d, 12w, 1y, 90min, or combinations (1d12h), kept as written. A bare "m" is refused: minutes or months? */
export const durationText = z
  .string(expected('a duration such as 90min, 24h, 30d, 12w or 1y'))
  .superRefine((s, ctx) => {
    try {
      parseConfigDuration(s);
    } catch (err) {
      if (!(err instanceof CofferError)) throw err;
      ctx.issues.push({ code: 'custom', message: err.message, input: undefined });
    }
  });

/** A duration in milliseconds. */
export const duration = durationText.transform(parseConfigDuration);

/** `keep-within` reads like `forget --keep-within`: 30d, 12w, 6m (months of 30 days), 1y. */
export const retentionDuration = z.string(expected('a duration such as 30d, 6m or 1y')).transform((s, ctx) =>
  parsed(
    ctx,
    () => parseDuration(s),
    () => `expected a duration such as 30d, 12w, 6m (months) or 1y, got ${describeInput(s)}`,
  ),
);

/** The number in a percentage from 0% to 100% (5 for "5%"), or undefined if it is not one. */
export function percentOf(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(s.trim());
  return m && Number(m[1]) <= 100 ? Number(m[1]) : undefined;
}

/** A percentage from 0 to 100, such as 5%; the output is the number (5). */
export const percent = z.string(expected('a percentage such as 5%')).transform((s, ctx) => {
  const value = percentOf(s);
  if (value === undefined)
    return refuse(ctx, `expected a percentage from 0% to 100%, such as 5%, got ${describeInput(s)}`);
  return value;
});

/** `check --read-data-subset`: a percentage (5%) or a share N/M of the packs (1/12). Kept as written. */
export const dataSubset = z.string(expected('a share of the data such as 5% or 1/12')).refine(
  (s) => {
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
    if (pct) return Number(pct[1]) > 0 && Number(pct[1]) <= 100;
    const nm = /^(\d+)\/(\d+)$/.exec(s);
    return nm !== null && Number(nm[1]) >= 1 && Number(nm[1]) <= Number(nm[2]);
  },
  { error: (i) => `expected a share of the data such as 5% or 1/12, got ${describeInput(i.input)}` },
);

/** A cron expression croner accepts (5 fields; 6 with seconds) that runs at least once. */
export const cronExpression = z
  .string(expected('a cron expression such as "0 2 * * 0"'))
  .superRefine((s, ctx) => {
    let next: Date | null;
    try {
      next = new Cron(s, { paused: true, timezone: 'UTC' }).nextRun();
    } catch (err) {
      const why = (err as Error).message.replace(/^Cron\w*:\s*/, '');
      ctx.issues.push({
        code: 'custom',
        message: `${describeInput(s)} is not a valid cron expression (${why}); the form is "minute hour day-of-month month day-of-week", e.g. "0 2 * * 0" for Sundays at 02:00`,
        input: s,
      });
      return;
    }
    if (next === null)
      ctx.issues.push({
        code: 'custom',
        message: `the cron expression ${describeInput(s)} never runs`,
        input: s,
      });
  });

export const timeZone = z.string(expected('a time zone such as Europe/London')).refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: (i) => `unknown time zone ${describeInput(i.input)}; use a name such as Europe/London or UTC` },
);

/** Roughly an email address: something@domain.tld, no spaces. */
export const emailAddress = z
  .string(expected('an email address'))
  .refine((s) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s), {
    error: (i) => `expected an email address such as clerk@council.gov.uk, got ${describeInput(i.input)}`,
  });

/** A repository location as -r takes it, parsed now so a typo is found before the first backup. */
export const repositoryLocation = z.string(expected('a repository location')).superRefine((s, ctx) => {
  try {
    parseLocation(s);
  } catch (err) {
    // parseLocation's messages already redact credentials; say nothing more of the value
    const why = err instanceof Error ? err.message : String(err);
    ctx.issues.push({ code: 'custom', message: why, input: undefined });
  }
});

/** Job names appear in commands (`--job documents`), file names and messages. */
export const JOB_NAME = /^[a-z0-9][a-z0-9_-]*$/;
export const jobName = z.string().regex(JOB_NAME, {
  error: (i) =>
    `job name ${describeInput(i.input)} may hold only lower-case letters, digits, "-" and "_" (e.g. documents or finance-mail)`,
});

const INLINE_SECRET =
  'a secret must not be written in the config file; refer to it with { file: /etc/coffer/name.secret }, ' +
  '{ env: VARIABLE_NAME } or { command: "..." }';

/** Where a secret comes from. A plain value in its place is refused without repeating it. */
export const secretRef = z
  .strictObject(
    {
      // Inside a secret reference nothing is echoed: a password pasted in the wrong place must not be shown.
      file: z
        .string({ error: 'expected a full path' })
        .refine(
          (p) => path.isAbsolute(p),
          'expected a full path starting with /, such as /etc/coffer/name.secret',
        )
        .optional(),
      env: z
        .string({ error: 'expected an environment variable name' })
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as COFFER_PASSWORD')
        .optional(),
      command: z.string({ error: 'expected a shell command' }).min(1, 'must not be empty').optional(),
    },
    {
      error: (i) =>
        i.code !== 'invalid_type'
          ? undefined
          : i.input === undefined
            ? `missing: give { file: ... }, { env: ... } or { command: ... }`
            : typeof i.input === 'object'
              ? `expected { file: ... }, { env: ... } or { command: ... }, got ${describeInput(i.input)}`
              : INLINE_SECRET,
    },
  )
  .superRefine((ref, ctx) => {
    const given = (['file', 'env', 'command'] as const).filter((k) => ref[k] !== undefined);
    if (given.length !== 1)
      ctx.issues.push({
        code: 'custom',
        message:
          given.length === 0
            ? 'give one of file, env or command'
            : `give only one of ${given.join(', ')}: a secret comes from one place`,
        input: undefined,
      });
  })
  .transform((ref): SecretRef =>
    ref.file !== undefined
      ? { file: ref.file }
      : ref.env !== undefined
        ? { env: ref.env }
        : { command: ref.command! },
  );
