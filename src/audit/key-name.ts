// Who is acting: the holder name of the key file the repository was opened with.

import type { Repository } from '../repository/index.js';

/**
 * The holder name recorded in the key file `repo` was opened with ("clerk", "recovery"), read when the
 * repository was opened. A key file whose name could not be read gives "key 3f0a1b2c", which still
 * identifies it.
 */
export function keyNameOf(repo: Repository): string {
  return repo.keyName || `key ${repo.keyId.slice(0, 8)}`;
}
