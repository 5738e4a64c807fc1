// S3 credentials a job refers to, read from their files, variables or commands when the storage opens,
// and the choice between a job's everyday and admin credentials or an admin AWS profile.

import { readAwsProfile, type AwsProfile } from './aws-profile.js';
import type { JobConfig, S3Credentials } from './job-types.js';
import { resolveSecret } from './secret-ref.js';

/** Reads every part of a job's credentials; `what` names them in messages ("admin credentials of job x"). */
export async function resolveS3Credentials(
  creds: S3Credentials,
  env: NodeJS.ProcessEnv,
  what: string,
): Promise<AwsProfile> {
  const [accessKeyId, secretAccessKey, sessionToken] = await Promise.all([
    resolveSecret(creds.accessKeyId, env, `the access key id of the ${what}`),
    resolveSecret(creds.secretAccessKey, env, `the secret access key of the ${what}`),
    creds.sessionToken
      ? resolveSecret(creds.sessionToken, env, `the session token of the ${what}`)
      : undefined,
  ]);
  return {
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    ...(creds.region ? { region: creds.region } : {}),
  };
}

export interface CredentialChoice {
  readonly job?: JobConfig;
  /** forget, prune and rewrite: operations that delete. */
  readonly admin: boolean;
  /** `--admin-credentials` or COFFER_ADMIN_PROFILE. */
  readonly adminProfile?: string;
  /** Where `{ env: ... }` references and the AWS credentials file location are read from. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The S3 credentials an operation uses, or undefined for the SDK's standard chain (AWS_ACCESS_KEY_ID,
 * AWS_PROFILE, ~/.aws/credentials, instance roles). For deleting operations an admin profile named on
 * the command line wins, then the job's admin-credentials; otherwise the job's credentials.
 */
export function credentialSource(choice: CredentialChoice): (() => Promise<AwsProfile>) | undefined {
  const { job, admin, adminProfile, env } = choice;
  if (admin && adminProfile) return () => readAwsProfile(adminProfile, env);
  if (admin && job?.adminCredentials) {
    const creds = job.adminCredentials;
    return () => resolveS3Credentials(creds, env, `admin credentials of job "${job.name}"`);
  }
  if (job?.credentials) {
    const creds = job.credentials;
    return () => resolveS3Credentials(creds, env, `credentials of job "${job.name}"`);
  }
  return undefined;
}
