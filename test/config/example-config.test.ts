// The example config covers every option the schema has, and is itself a valid config.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { EXAMPLE_CONFIG, parseCofferConfig, schemaKeyPaths } from '../../src/config/index.js';

/** Every key path in a YAML document, list positions written as their index: `notifications.0.email.to`. */
function keyPaths(node: unknown, prefix: string[] = []): string[] {
  if (isMap(node))
    return node.items.flatMap((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      return [[...prefix, key].join('.'), ...keyPaths(pair.value, [...prefix, key])];
    });
  if (isSeq(node)) return node.items.flatMap((item, i) => keyPaths(item as Node, [...prefix, String(i)]));
  return [];
}

const matches = (pattern: string, path: string): boolean => {
  const p = pattern.split('.');
  const q = path.split('.');
  return p.length === q.length && p.every((seg, i) => seg === '*' || seg === q[i]);
};

describe('coffer config example', () => {
  const examplePaths = keyPaths(parseDocument(EXAMPLE_CONFIG).contents);

  it('shows every key of the schema somewhere', () => {
    const schema = schemaKeyPaths();
    // the walk must have found the schema's depth, or this test would prove nothing
    expect(schema).toContain('jobs.*.retention.keep-weekly');
    expect(schema).toContain('notifications.*.email.smtp.password.command');
    expect(schema.length).toBeGreaterThan(60);
    // admin-credentials has the shape of credentials; showing each key in one of them is enough
    const sameShape = (pattern: string): string[] => [
      pattern,
      pattern.replace('.admin-credentials.', '.credentials.'),
      pattern.replace('.credentials.', '.admin-credentials.'),
    ];
    const missing = schema.filter(
      (pattern) => !sameShape(pattern).some((p) => examplePaths.some((path) => matches(p, path))),
    );
    // A secret reference takes one of three forms at each place; the example shows each form somewhere.
    const secretForms = missing.filter((p) => /\.(file|env|command)$/.test(p));
    expect(missing.filter((p) => !secretForms.includes(p))).toEqual([]);
    for (const form of ['file', 'env', 'command'])
      expect(
        examplePaths.some((p) => p.endsWith(`.${form}`)),
        form,
      ).toBe(true);
  });

  it('has no key the schema does not know', () => {
    const schema = schemaKeyPaths();
    const unknown = examplePaths.filter((path) => !schema.some((pattern) => matches(pattern, path)));
    expect(unknown).toEqual([]);
  });

  it('is a valid config with the documented defaults spelled out', () => {
    const config = parseCofferConfig(EXAMPLE_CONFIG, 'example.yaml', { user: { env: {}, uid: 0 } });
    expect(config.jobs.map((j) => j.name)).toEqual(['documents', 'mail-archive']);
    const documents = config.jobs[0]!;
    expect(documents.schedule).toEqual({ cron: '0 2 * * 0', timezone: 'Europe/London', graceMs: 86_400_000 });
    expect(documents.prune).toEqual({ cron: '0 3 1 * *', maxUnused: '5%' });
    expect(config.jobs[1]!.prune).toEqual({});
    expect(config.notifications).toHaveLength(2);
  });
});

describe('docs/config.md', () => {
  it('its example is a valid config', async () => {
    const doc = await readFile(new URL('../../docs/config.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const config = parseCofferConfig(block, 'docs/config.md', { user: { env: {}, uid: 0 } });
      expect(config.jobs.length).toBeGreaterThan(0);
    }
  });
});
