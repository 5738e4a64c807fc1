// What `backup --job NAME` backs up: the job's sources, excludes, tags and host, with anything given on
// the command line added (paths given replace the sources; a --host given replaces the job's).

import { UsageError } from '../errors.js';
import type { JobConfig } from './job-types.js';

export interface BackupSelection {
  readonly paths: readonly string[];
  readonly tags: readonly string[];
  readonly host?: string;
  readonly excludes: readonly string[];
  readonly excludeIfPresent: readonly string[];
  readonly oneFileSystem: boolean;
}

export function backupSelection(job: JobConfig | undefined, given: BackupSelection): BackupSelection {
  if (!job) {
    if (given.paths.length === 0)
      throw new UsageError(
        'give the folders or files to back up, or --job NAME to back up a job from the config file',
      );
    return given;
  }
  const host = given.host ?? job.host;
  return {
    paths: given.paths.length > 0 ? given.paths : job.sources,
    tags: union(job.tags, given.tags),
    ...(host ? { host } : {}),
    excludes: union(job.excludes, given.excludes),
    excludeIfPresent: union(job.excludeIfPresent, given.excludeIfPresent),
    oneFileSystem: job.oneFileSystem || given.oneFileSystem,
  };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
