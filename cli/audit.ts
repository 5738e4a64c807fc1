// The CLI side of the audit log: each command wraps its call to src/ here; a record that cannot be
// written becomes a warning on standard error, never a failure.

import { auditOperation, type Describe } from '../src/audit/index.js';
import type { AuditOperation, Repository } from '../src/repository/index.js';
import type { CliIo } from './io.js';

export function audited<T>(
  repo: Repository,
  io: CliIo,
  operation: AuditOperation,
  fn: () => Promise<T>,
  describe: Describe<T>,
  opts: { record?: boolean } = {},
): Promise<T> {
  return auditOperation(repo, operation, fn, describe, {
    onWarning: auditWarning(io),
    signal: io.signal,
    ...opts,
  });
}

export function auditWarning(io: CliIo): (message: string) => void {
  return (message) => io.stderr.write(`coffer: warning: ${message}\n`);
}
