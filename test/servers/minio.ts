// MinIO in a container (testcontainers), for S3 tests where a Docker engine is available (CI, developers' machines).

import type { S3TestServer } from './s3rver.js';

// Pinned for repeatable runs: MinIO stopped publishing images in late 2025, so "latest" will not move
// anyway, and a pin makes the choice visible. COFFER_TEST_MINIO_IMAGE overrides it.
const IMAGE = process.env.COFFER_TEST_MINIO_IMAGE ?? 'minio/minio:RELEASE.2025-04-22T22-12-26Z';
const USER = 'coffer-test';
const PASSWORD = 'coffer-test-secret';

/** Why MinIO cannot run here (no reachable Docker engine), or undefined when it can. */
export async function minioSkipReason(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return `no Docker engine reachable, so MinIO cannot be started (${why})`;
  }
}

/** Starts MinIO and resolves once it reports itself ready. Docker picks the host port. */
export async function startMinio(): Promise<S3TestServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: USER, MINIO_ROOT_PASSWORD: PASSWORD })
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000))
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(9000)}`,
    accessKeyId: USER,
    secretAccessKey: PASSWORD,
    stop: async () => {
      await container.stop();
    },
  };
}
