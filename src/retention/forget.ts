// Forgetting snapshots: plan with the policy, then delete the snapshot objects under an exclusive lock.
// The data they alone used stays until prune reclaims it.

import { UsageError } from '../errors.js';
import { loadSnapshots, objectKey, type Repository, withLock } from '../repository/index.js';
import {
  type GroupBy,
  type GroupPlan,
  isEmptyPolicy,
  planRetention,
  type RetentionPolicy,
} from './policy.js';

export interface ForgetOptions {
  readonly policy: RetentionPolicy;
  readonly groupBy?: GroupBy;
  readonly dryRun?: boolean;
  /** Allow a plan that removes every snapshot of a group. */
  readonly allowEmpty?: boolean;
}

export interface ForgetResult {
  readonly groups: readonly GroupPlan[];
  readonly removed: number;
  readonly dryRun: boolean;
}

export async function runForget(repo: Repository, opts: ForgetOptions): Promise<ForgetResult> {
  if (isEmptyPolicy(opts.policy) && !opts.allowEmpty) {
    throw new UsageError(
      'give at least one --keep-* option (with none, every snapshot would go: add --allow-empty if that is meant)',
    );
  }
  const ctx = { storage: repo.storage, master: repo.master };
  const plan = async (): Promise<GroupPlan[]> => {
    const groups = planRetention(await loadSnapshots(ctx), opts.policy, opts.groupBy);
    const emptied = groups.filter((g) => g.keep.length === 0 && g.remove.length > 0);
    if (emptied.length > 0 && !opts.allowEmpty) {
      throw new UsageError(
        `this policy would remove every snapshot of ${emptied.length} group${emptied.length === 1 ? '' : 's'}; nothing was removed (add --allow-empty if that is really meant)`,
      );
    }
    return groups;
  };
  if (opts.dryRun) return { groups: await plan(), removed: 0, dryRun: true };
  return withLock(ctx, { exclusive: true, operation: 'forget' }, async () => {
    const groups = await plan();
    let removed = 0;
    for (const g of groups) {
      for (const s of g.remove) {
        await repo.storage.delete(objectKey('snapshot', s.id));
        removed++;
      }
    }
    return { groups, removed, dryRun: false };
  });
}
