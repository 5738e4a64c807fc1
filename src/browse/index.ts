// Browsing snapshots without restoring: list, find by name, versions of a file, differences, deleted files.

export { findDeleted, type DeletedFile } from './deleted.js';
export { type Change, type ChangeKind, diffTrees } from './diff.js';
export { type Found, findFiles, type FoundVersion } from './find.js';
export { type ListedEntry, listSnapshot } from './ls.js';
export { type BrowseSession, openBrowseSession, snapshotCovers } from './session.js';
export { fileVersions, type FileVersion, type VersionHistory } from './versions.js';
export { type ArchiveFormat, DumpVerificationError, dumpPath } from './dump.js';
