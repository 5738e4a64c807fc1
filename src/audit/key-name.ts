// Who is acting: the holder name of the key file the repository was opened with.

import { listKeys, type Repository } from '../repository/index.js';

/**
 * The holder name recorded in the key file `repo` was opened with ("clerk", "recovery"). Never throws: a
 * key file whose name cannot be read (or a storage hiccup) gives "key 3f0a1b2c", which still identifies it.
 */
export async function keyNameOf(repo: Repository): Promise<string> {
  try {
    const name = (await listKeys(repo)).find((k) => k.id === repo.keyId)?.name;
    if (name) return name;
  } catch {
    // the id alone still says which key acted; the operation must not fail for want of a name
  }
  return `key ${repo.keyId.slice(0, 8)}`;
}
