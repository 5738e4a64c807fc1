// How much the repository holds at the storage provider: the sum of its objects' sizes from one listing,
// with the job's everyday credentials. No password is needed: sizes are all the provider sees too.

import { credentialSource, type JobConfig } from '../config/index.js';
import { openStorage, parseLocation } from '../storage/index.js';

export interface RepositorySize {
  readonly bytes: number;
  readonly objects: number;
}

export async function measureRepository(
  job: JobConfig,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<RepositorySize> {
  const location = parseLocation(job.repository);
  const credentials = location.scheme === 's3' ? credentialSource({ job, admin: false, env }) : undefined;
  const s3 = credentials ? await credentials() : undefined;
  const storage = openStorage(location, {
    readOnly: true,
    ...(s3 ? { s3: { credentials: s3.credentials, ...(s3.region ? { region: s3.region } : {}) } } : {}),
  });
  let bytes = 0;
  let objects = 0;
  for await (const entry of storage.list('', signal ? { signal } : {})) {
    bytes += entry.size;
    objects++;
  }
  return { bytes, objects };
}
