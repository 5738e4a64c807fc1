// Configuration: where settings and secrets come from (environment, files, prompts) before any work starts.

export { resolveNewPassword, resolvePassword, type SecretSources } from './password.js';
export { describeSecretRef, resolveSecret } from './secret-ref.js';
export type * from './job-types.js';
