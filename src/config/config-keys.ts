// The keys the schema knows at each place in the file, read from the schema itself (as JSON Schema), so
// "did you mean" suggestions and the example's completeness test can never drift from it.

import { z } from 'zod';
import { cofferConfigSchema } from './config-schema.js';

interface JsonSchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly additionalProperties?: JsonSchemaNode | boolean;
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
}

let cached: JsonSchemaNode | undefined;

function rootNode(): JsonSchemaNode {
  // the input side: what is written in the file, before defaults and transforms
  cached ??= z.toJSONSchema(cofferConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return cached;
}

/** The schema nodes a path through the file can reach (several where a value may take several forms). */
function nodesAt(path: readonly PropertyKey[]): JsonSchemaNode[] {
  let nodes = expand(rootNode());
  for (const segment of path) {
    nodes = nodes.flatMap((n) => {
      if (typeof segment === 'number' || n.items) return n.items ? expand(n.items) : [];
      const key = String(segment);
      const child =
        n.properties?.[key] ??
        (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
      return child ? expand(child) : [];
    });
  }
  return nodes;
}

function expand(node: JsonSchemaNode): JsonSchemaNode[] {
  return node.anyOf ? node.anyOf.flatMap(expand) : [node];
}

/** The keys a mapping at this path may hold (empty where any name goes, as for job names). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  return [...new Set(nodesAt(path).flatMap((n) => Object.keys(n.properties ?? {})))];
}

/**
 * Every key path the schema defines, with `*` for a name the user chooses (a job's, an RTO's) or a list
 * position: `jobs.*.retention.keep-weekly`, `notifications.*.email.smtp.port`.
 */
export function schemaKeyPaths(): string[] {
  const paths = new Set<string>();
  const walk = (node: JsonSchemaNode, prefix: readonly string[]): void => {
    for (const n of expand(node)) {
      for (const [key, child] of Object.entries(n.properties ?? {})) {
        paths.add([...prefix, key].join('.'));
        walk(child, [...prefix, key]);
      }
      if (typeof n.additionalProperties === 'object') {
        paths.add([...prefix, '*'].join('.'));
        walk(n.additionalProperties, [...prefix, '*']);
      }
      if (n.items) walk(n.items, [...prefix, '*']);
    }
  };
  walk(rootNode(), []);
  return [...paths];
}
