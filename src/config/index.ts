// Configuration: where settings and secrets come from (config file, environment, files, prompts) before any work starts.

export { resolveNewPassword, resolvePassword, type SecretSources } from './password.js';
export { describeSecretRef, resolveSecret } from './secret-ref.js';
export type * from './job-types.js';
export {
  loadCofferConfig,
  loadCofferConfigSync,
  parseCofferConfig,
  type LoadOptions,
} from './coffer-config.js';
export {
  currentUser,
  defaultConfigPath,
  defaultStateDir,
  SYSTEM_CONFIG_PATH,
  SYSTEM_STATE_DIR,
  type UserContext,
} from './config-paths.js';
export { inlineSecrets } from './config-exposure.js';
export { schemaKeyPaths } from './config-keys.js';
export { parseConfigDuration } from './config-duration.js';
export { closestMatch, didYouMean } from './did-you-mean.js';
export {
  readAwsProfile,
  sharedCredentialsFile,
  type AwsProfile,
  type StaticS3Credentials,
} from './aws-profile.js';
export { credentialSource, resolveS3Credentials, type CredentialChoice } from './s3-credentials.js';
export { backupSelection, type BackupSelection } from './job-backup.js';
export { EXAMPLE_CONFIG } from './example-config.js';
export { describeConfig, type ConfigSummary, type JobSummary } from './describe-config.js';
