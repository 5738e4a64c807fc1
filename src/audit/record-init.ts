// The first record of every repository: who created it, where. A failed init writes nothing: there is no
// repository (or only someone else's, which this key cannot write to).

import type { Repository } from '../repository/index.js';
import { type AuditOptions, writeAuditRecord } from './audit-operation.js';

export function recordInit(
  repo: Repository,
  holder: string,
  opts: Pick<AuditOptions, 'onWarning' | 'now'>,
): Promise<string | undefined> {
  const id = repo.config.id;
  const location = repo.storage.location;
  return writeAuditRecord(
    repo,
    {
      operation: 'init',
      outcome: 'success',
      summary: `repository ${id.slice(0, 8)} created at ${location}, with a first key for ${holder}`,
      keyId: repo.keyId,
      keyName: holder,
      details: { repositoryId: id, location, compression: repo.config.compression },
      ...(opts.now ? { time: opts.now().toISOString() } : {}),
    },
    opts,
  );
}
