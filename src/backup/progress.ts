// What a running backup reports: counters for the progress line, warnings, and the final summary.

export interface BackupCounters {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  /** Bytes read from files (unchanged files are not read). */
  bytesRead: number;
  /** Bytes of files done, read or not: the progress measure. */
  bytesDone: number;
  filesDone: number;
  totalFiles: number;
  totalBytes: number;
}

export function newCounters(): BackupCounters {
  return {
    filesNew: 0,
    filesChanged: 0,
    filesUnmodified: 0,
    dirsNew: 0,
    dirsChanged: 0,
    dirsUnmodified: 0,
    bytesRead: 0,
    bytesDone: 0,
    filesDone: 0,
    totalFiles: 0,
    totalBytes: 0,
  };
}

export type WarningKind = 'unreadable' | 'changed-during-read' | 'skipped-special' | 'vanished';

export interface BackupWarning {
  readonly kind: WarningKind;
  readonly path: string;
  readonly message: string;
}

/** Warnings that make the backup incomplete (exit code 3); notes such as skipped sockets do not. */
export function isIncomplete(w: BackupWarning): boolean {
  return w.kind === 'unreadable';
}
