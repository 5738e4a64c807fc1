import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { runCliKeyTests, runLocalOnlyCliTests } from './cli-keys.js';

runCliKeyTests('local folder', async () => {
  const dir = await tempDir();
  let n = 0;
  return { env: {}, location: () => join(dir.path, `repo-${++n}`), cleanup: dir.cleanup };
});

runCliKeyTests('local: scheme', async () => {
  const dir = await tempDir();
  let n = 0;
  return { env: {}, location: () => `local:${join(dir.path, `repo-${++n}`)}`, cleanup: dir.cleanup };
});

runLocalOnlyCliTests();
