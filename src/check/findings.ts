// Collecting errors and notes as the check goes: nothing stops it, every problem is kept with what it affects.

import { adviceFor, describeAffected } from './advice.js';
import type { PathSet } from './impact.js';
import type { AffectedSnapshot, CheckError, CheckErrorKind, CheckNote, CheckNoteKind } from './result.js';

/** One error while it is being collected: its message can still grow and snapshots can still be added. */
export class Finding {
  readonly kind: CheckErrorKind;
  readonly object: string;
  message: string;
  readonly #hits = new Map<string, { time: string | undefined; set: PathSet }>();

  constructor(kind: CheckErrorKind, object: string, message: string) {
    this.kind = kind;
    this.object = object;
    this.message = message;
  }

  /** Records the paths of one snapshot this error affects (`/` alone: the whole snapshot). */
  affect(snapshot: string, time: string | undefined, set: PathSet): void {
    this.#hits.set(snapshot, { time, set });
  }

  toError(): CheckError {
    const affected: AffectedSnapshot[] = [...this.#hits]
      .map(([snapshot, { time, set }]) => ({
        snapshot,
        ...(time !== undefined ? { time } : {}),
        paths: [...set.paths].sort(),
        files: set.files,
        folders: set.folders,
      }))
      .sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '') || a.snapshot.localeCompare(b.snapshot));
    const summary = describeAffected(affected);
    return {
      kind: this.kind,
      object: this.object,
      message: summary ? `${this.message}; ${summary}` : this.message,
      advice: adviceFor(this.kind, this.object, affected),
      affected,
    };
  }
}

export class Findings {
  readonly errors: Finding[] = [];
  readonly notes: CheckNote[] = [];

  error(kind: CheckErrorKind, object: string, message: string): Finding {
    const finding = new Finding(kind, object, message);
    this.errors.push(finding);
    return finding;
  }

  note(
    kind: CheckNoteKind,
    message: string,
    objects: readonly string[],
    snapshots?: readonly string[],
  ): void {
    this.notes.push({ kind, message, objects, ...(snapshots ? { snapshots } : {}) });
  }

  has(kind: CheckErrorKind): boolean {
    return this.errors.some((e) => e.kind === kind);
  }
}
