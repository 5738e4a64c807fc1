// Which paths a backup leaves out: gitignore-style patterns (the `ignore` library), marker files, other file systems.

import { readFile } from 'node:fs/promises';
import ignore, { type Ignore } from 'ignore';
import { UsageError } from '../errors.js';

export interface ExcludeRules {
  /** gitignore-style patterns, matched against the path relative to the backed-up folder. */
  readonly patterns: readonly string[];
  /** Directories holding a file of one of these names are left out (e.g. `.nobackup`). */
  readonly ifPresent: readonly string[];
}

export class ExcludeMatcher {
  readonly #ignore: Ignore;
  readonly ifPresent: readonly string[];
  readonly empty: boolean;

  constructor(rules: ExcludeRules) {
    this.#ignore = ignore({ allowRelativePaths: true }).add([...rules.patterns]);
    this.ifPresent = rules.ifPresent;
    this.empty = rules.patterns.length === 0;
  }

  /** `relative` is `/`-separated, relative to the source root; directories are tested with a trailing `/`. */
  excludes(relative: string, isDir: boolean): boolean {
    if (this.empty || relative === '') return false;
    return this.#ignore.ignores(isDir ? `${relative}/` : relative);
  }
}

/** Reads patterns from exclude files: one per line, `#` comments and blank lines ignored, as in .gitignore. */
export async function readExcludeFiles(files: readonly string[]): Promise<string[]> {
  const patterns: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new UsageError(`cannot read the exclude file ${file}: ${(cause as Error).message}`, { cause });
    }
    patterns.push(...text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#')));
  }
  return patterns;
}
