// Backup: walk the sources, store what changed as deduplicated, compressed, encrypted chunks, write a snapshot.

export { ExcludeMatcher, type ExcludeRules, readExcludeFiles } from './excludes.js';
export { type BackupCounters, type BackupWarning, isIncomplete, type WarningKind } from './progress.js';
export { type BackupOptions, type BackupResult, runBackup } from './run-backup.js';
