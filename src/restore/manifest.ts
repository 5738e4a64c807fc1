// A `sha256sum -c` compatible list of what a restore wrote, so anyone can re-check it later.

import { writeFile } from 'node:fs/promises';

/** Lines `<sha256>  <path>`; names with a backslash or newline are escaped the way sha256sum does. */
export function manifestBytes(entries: readonly { readonly rel: Buffer; readonly sha256: string }[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(a.rel, b.rel));
  return Buffer.concat(
    sorted.map(({ rel, sha256 }) => {
      const needsEscape = rel.includes(0x5c) || rel.includes(0x0a) || rel.includes(0x0d);
      const name = needsEscape
        ? Buffer.from(
            rel.toString('latin1').replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r'),
            'latin1',
          )
        : rel;
      return Buffer.concat([Buffer.from(`${needsEscape ? '\\' : ''}${sha256}  `), name, Buffer.from('\n')]);
    }),
  );
}

export async function writeManifest(
  file: string,
  entries: readonly { readonly rel: Buffer; readonly sha256: string }[],
): Promise<void> {
  await writeFile(file, manifestBytes(entries));
}
