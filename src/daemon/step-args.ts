// The coffer command lines the daemon runs for a job's steps: plain values, tested without processes.
// Every step names the config file and the job, so the child reads the same repository, password
// reference and credentials; no secret is ever on a command line.

import type { JobConfig } from '../config/index.js';
import type { RetentionPolicy } from '../retention/index.js';

const HOUR_MS = 3_600_000;

function jobArgs(configPath: string, job: JobConfig): string[] {
  return ['--config', configPath, '--job', job.name, '--json'];
}

export function backupArgs(configPath: string, job: JobConfig): string[] {
  return [...jobArgs(configPath, job), 'backup'];
}

/** forget by the job's retention policy; with `prune`, followed by prune in the same run. */
export function forgetArgs(configPath: string, job: JobConfig, prune: boolean): string[] {
  const args = [...jobArgs(configPath, job), 'forget', ...retentionFlags(job.retention ?? {})];
  if (prune) args.push('--prune', ...(job.prune.maxUnused ? ['--max-unused', job.prune.maxUnused] : []));
  return args;
}

export function checkArgs(configPath: string, job: JobConfig): string[] {
  const subset = job.check?.readDataSubset;
  return [...jobArgs(configPath, job), 'check', ...(subset ? ['--read-data-subset', subset] : [])];
}

export function drillArgs(configPath: string, job: JobConfig): string[] {
  const sample = job.drill.samplePercent;
  return [
    ...jobArgs(configPath, job),
    'drill',
    'run',
    ...(sample !== undefined ? ['--sample', `${sample}%`] : []),
  ];
}

export function retentionFlags(policy: RetentionPolicy): string[] {
  const flags: string[] = [];
  const counts = [
    ['--keep-last', policy.last],
    ['--keep-hourly', policy.hourly],
    ['--keep-daily', policy.daily],
    ['--keep-weekly', policy.weekly],
    ['--keep-monthly', policy.monthly],
    ['--keep-yearly', policy.yearly],
  ] as const;
  for (const [flag, n] of counts) if (n !== undefined && n > 0) flags.push(flag, String(n));
  // In whole hours, rounded up: forget reads "m" as months, and keeping an hour more is the safe side.
  if (policy.withinMs) flags.push('--keep-within', `${Math.ceil(policy.withinMs / HOUR_MS)}h`);
  for (const tag of policy.tags ?? []) flags.push('--keep-tag', tag);
  return flags;
}
