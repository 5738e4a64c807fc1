// The state file's schema: what a file must look like to be trusted. A job entry that does not fit is
// dropped (and logged) rather than failing the daemon; the daemon rebuilds it on the next run.

import { z } from 'zod';

const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO time');
const count = z.number().finite().nonnegative();
const step = z.enum(['backup', 'forget', 'prune', 'check', 'drill', 'size']);

export const jobStateSchema = z.object({
  firstSeen: time.optional(),
  lastAttempt: time.optional(),
  lastSuccess: z
    .object({
      time,
      snapshot: z.string(),
      bytesAdded: count,
      filesNew: count,
      filesChanged: count,
      incomplete: z.boolean().optional(),
    })
    .optional(),
  lastFailure: z
    .object({ time, step, message: z.string(), exitCode: z.number().int().nullable() })
    .optional(),
  nextRun: time.optional(),
  retry: z.object({ attempt: z.number().int().positive(), at: time, windowEndsAt: time }).optional(),
  running: z.object({ since: time, step }).optional(),
  lastCheck: z.object({ time, ok: z.boolean(), summary: z.string() }).optional(),
  lastPrune: z.object({ time, summary: z.string() }).optional(),
  lastDrill: z.object({ time, passed: z.boolean(), summary: z.string() }).optional(),
  lastPassedDrill: time.optional(),
  lastDrillAttempt: time.optional(),
  repositorySize: z.object({ time, bytes: count, objects: count }).optional(),
  overdueNotifiedAt: time.optional(),
  drillReminderAt: time.optional(),
});

export const stateFileSchema = z.object({
  version: z.literal(1),
  updatedAt: time.optional(),
  lastDigest: time.optional(),
  jobs: z.record(z.string(), z.unknown()),
});
