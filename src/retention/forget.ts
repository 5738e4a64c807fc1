// Forgetting snapshots: plan with the policy, then delete the snapshot objects under an exclusive lock.
// The data they alone used stays until prune reclaims it.

import { UsageError } from '../errors.js';
import { loadSnapshots, type Repository, requireAdmin, withLock } from '../repository/index.js';
import {
  type GroupBy,
  type GroupPlan,
  isEmptyPolicy,
  planRetention,
  type RetentionPolicy,
} from './policy.js';
import { removeSnapshots, type RetainedByLock, retainedSnapshots } from './retained.js';

export interface ForgetOptions {
  readonly policy: RetentionPolicy;
  readonly groupBy?: GroupBy;
  readonly dryRun?: boolean;
  /** Allow a plan that removes every snapshot of a group. */
  readonly allowEmpty?: boolean;
  /** The clock that decides whether an Object Lock has ended. */
  readonly now?: () => Date;
}

export interface ForgetResult {
  readonly groups: readonly GroupPlan[];
  readonly removed: number;
  /** Snapshots the policy removes that Object Lock still retains: left in place (a later forget removes them). */
  readonly retained: readonly RetainedByLock[];
  readonly dryRun: boolean;
}

export async function runForget(repo: Repository, opts: ForgetOptions): Promise<ForgetResult> {
  if (isEmptyPolicy(opts.policy) && !opts.allowEmpty) {
    throw new UsageError(
      'give at least one --keep-* option (with none, every snapshot would go: add --allow-empty if that is meant)',
    );
  }
  if (!opts.dryRun) requireAdmin(repo, 'forget');
  const now = opts.now ?? (() => new Date());
  const ctx = { storage: repo.storage, master: repo.master };
  const removedBy = (groups: readonly GroupPlan[]): string[] =>
    groups.flatMap((g) => g.remove.map((s) => s.id));
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
  if (opts.dryRun) {
    const groups = await plan();
    const retained = await retainedSnapshots(repo, removedBy(groups), now());
    return { groups, removed: 0, retained, dryRun: true };
  }
  return withLock(ctx, { exclusive: true, operation: 'forget' }, async () => {
    const groups = await plan();
    const { removed, retained } = await removeSnapshots(repo, removedBy(groups), now());
    return { groups, removed, retained, dryRun: false };
  });
}
