// Static credentials from a profile in the AWS shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials), for `--admin-credentials PROFILE`: the delete-capable key lives in its own profile
// so everyday commands, which use the default chain, never hold it.

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface StaticS3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AwsProfile {
  readonly credentials: StaticS3Credentials;
  readonly region?: string;
}

export function sharedCredentialsFile(env: NodeJS.ProcessEnv): string {
  return env.AWS_SHARED_CREDENTIALS_FILE || path.join(env.HOME || os.homedir(), '.aws', 'credentials');
}

/** The named profile's keys; UsageError naming the file (never a key) when it is missing or incomplete. */
export async function readAwsProfile(name: string, env: NodeJS.ProcessEnv): Promise<AwsProfile> {
  const file = sharedCredentialsFile(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the AWS credentials file ${file} for profile "${name}" (${code === 'ENOENT' ? 'it does not exist' : (code ?? 'error')}); set AWS_SHARED_CREDENTIALS_FILE or create the profile`,
      { cause: err },
    );
  }
  const sections = parseIni(text);
  const section = sections.get(name);
  if (!section) {
    const known = [...sections.keys()];
    throw new UsageError(
      `there is no profile "${name}" in ${file}${known.length ? ` (it has ${known.join(', ')})` : ''}`,
    );
  }
  const accessKeyId = section.get('aws_access_key_id');
  const secretAccessKey = section.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey)
    throw new UsageError(
      `profile "${name}" in ${file} needs both aws_access_key_id and aws_secret_access_key`,
    );
  const sessionToken = section.get('aws_session_token');
  const region = section.get('region');
  return {
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    ...(region ? { region } : {}),
  };
}

/** The INI dialect AWS writes: `[name]` sections, `key = value`, `#` and `;` comment lines. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? new Map<string, string>();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}
