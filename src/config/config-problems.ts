// Turns YAML syntax errors and schema issues into lines a clerk can act on:
// `coffer.yaml:12:5: jobs.documents.retention.keep-weekly: expected a whole number, got "fifty"`.

import { isMap, isPair, isScalar, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { knownKeysAt } from './config-keys.js';
import { didYouMean } from './did-you-mean.js';

export interface ConfigProblem {
  readonly line: number;
  readonly col: number;
  /** The field in YAML spelling, e.g. `jobs.documents.sources[1]`; empty for the file as a whole. */
  readonly field: string;
  readonly message: string;
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}:${p.line}:${p.col}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** `jobs.documents.sources[1]`, with odd names quoted: `rto["all documents"]`. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) =>
      typeof seg === 'number'
        ? `[${seg}]`
        : /^[A-Za-z0-9_-]+$/.test(String(seg))
          ? `${i === 0 ? '' : '.'}${String(seg)}`
          : `[${JSON.stringify(String(seg))}]`,
    )
    .join('');
}

export function yamlProblems(errors: readonly YAMLError[], lines: LineCounter): ConfigProblem[] {
  return errors.map((e) => ({
    ...lines.linePos(e.pos[0]),
    field: '',
    // the message alone: yaml's "pretty" form quotes the offending line, which may hold a secret
    message: `not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}`,
  }));
}

/** One problem per schema issue (and per unknown key), located in the document. */
export function schemaProblems(
  issues: readonly z.core.$ZodIssue[],
  doc: Document,
  lines: LineCounter,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const at = (path: readonly PropertyKey[], message: string, key?: string): void => {
    out.push({
      ...lines.linePos(offsetOf(doc, path, key)),
      field: fieldName(key ? [...path, key] : path),
      message,
    });
  };
  const visit = (issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): void => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) at(path, `unknown option${didYouMean(key, knownKeysAt(path))}`, key);
        return;
      case 'invalid_key':
        // a record key (a job's name) that does not fit: point at the key itself
        at(path.slice(0, -1), issue.issues[0]?.message ?? issue.message, String(path.at(-1)));
        return;
      case 'invalid_union': {
        // Of the forms a value may take, report on the one it was evidently meant as (a mapping that
        // has a bad field, not "expected text"); if none is evident, the union's own message.
        const meant = issue.errors.filter(
          (branch) =>
            !branch.every(
              (i) => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.path.length === 0,
            ),
        );
        if (meant.length === 1) for (const i of meant[0]!) visit(i, path);
        else at(path, issue.message);
        return;
      }
      default:
        at(path, issue.message);
    }
  };
  for (const issue of issues) visit(issue, []);
  return out;
}

/** Where in the text a path is (its value, or with `key`, that key); the nearest existing parent if absent. */
function offsetOf(doc: Document, path: readonly PropertyKey[], key?: string): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!isNodeWithRange(node)) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      if (pair && isNodeWithRange(pair.key)) return pair.key.range![0];
    }
    if (depth < path.length && isMap(node)) {
      // a missing field: point at the key of the mapping that lacks it, not at the mapping's first line
      const keyNode = keyNodeFor(doc, path.slice(0, depth));
      if (keyNode) return keyNode;
    }
    return node.range![0];
  }
  return 0;
}

function keyNodeFor(doc: Document, path: readonly PropertyKey[]): number | undefined {
  if (path.length === 0) return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = String(path.at(-1));
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  return isNodeWithRange(pair?.key) ? pair.key.range![0] : undefined;
}

function isNodeWithRange(node: unknown): node is Node {
  return typeof node === 'object' && node !== null && 'range' in node && Array.isArray((node as Node).range);
}
