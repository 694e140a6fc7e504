import type { Scalar } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node as YamlNode, parseDocument } from 'yaml';
import { type Problem, problemAt } from '../problems';
import { formatPythonValue, pythonFloat } from '../params/formatPythonValue';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage } from '../params/nestingLimit';
import type { SourcePosition } from './model';
import { parseYamlFast } from './parseYamlFast';
import { describeError } from '../engineError';

/**
 * A YAML document as a small located tree: every node knows where it starts and ends (1-based), so
 * schema checks and `${}` templating can report problems at the offending key or value. Integral
 * floats (`1.0`) are boxed as PythonFloat so Python formatting stays exact. Aliases are expanded
 * with a node budget, so an alias bomb becomes a problem instead of a hang.
 */
export interface TreeBase {
  readonly position: SourcePosition;
  readonly end: SourcePosition;
}
export interface ScalarTree extends TreeBase {
  readonly kind: 'scalar';
  /** null, boolean, number, PythonFloat or string. */
  readonly value: unknown;
  /** The text of a plain (unquoted) scalar as written, for readers with other typing rules (PyYAML). */
  readonly source?: string;
}
export interface MapEntryTree {
  readonly key: Tree;
  readonly value: Tree;
}
export interface MapTree extends TreeBase {
  readonly kind: 'map';
  readonly entries: readonly MapEntryTree[];
}
export interface SeqTree extends TreeBase {
  readonly kind: 'seq';
  readonly items: readonly Tree[];
}
export type Tree = ScalarTree | MapTree | SeqTree;

export interface YamlTreeOptions {
  /** MLproject files are read by PyYAML (YAML 1.1: `yes` is a bool); DVC uses YAML 1.2. */
  readonly version?: '1.1' | '1.2';
  /** Most nodes a document may expand to (aliases included). */
  readonly maxNodes?: number;
  readonly maxDepth?: number;
  /** Try the fast reader for plain block YAML first (default true; tests compare both). */
  readonly fastPath?: boolean;
}

const integerSource = /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;

export function parseYamlTree(
  text: string,
  file: string,
  options: YamlTreeOptions = {},
): { tree: Tree | undefined; problems: Problem[] } {
  if ((options.version ?? '1.2') === '1.2' && options.fastPath !== false) {
    const fast = parseYamlFast(text);
    if (fast) return { tree: fast.tree, problems: [] };
  }
  const problems: Problem[] = [];
  const lineCounter = new LineCounter();
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let document;
  try {
    // The library's duplicate-key check is quadratic in the keys of a map; ours below is linear.
    document = parseDocument(text, {
      lineCounter,
      version: options.version ?? '1.2',
      prettyErrors: false,
      uniqueKeys: false,
    });
  } catch (error) {
    // The parser recurses; pathological nesting can exhaust the stack.
    const message = describeError(error);
    problems.push(problemAt(file, undefined, 'error', 'yamlSyntax', `Cannot parse this YAML (${message}).`));
    return { tree: undefined, problems };
  }
  for (const error of document.errors) {
    const start = positionAt(error.pos[0]);
    // The library recurses and reports its own stack overflow: that is nesting far past the limit.
    if (error.message.includes('Maximum call stack size exceeded')) {
      problems.push(problemAt(file, start, 'error', 'nestingTooDeep', nestingTooDeepMessage('YAML')));
      break;
    }
    const message = (error.message.split('\n')[0] ?? error.message).replace(/\.?\s*$/, '');
    problems.push(problemAt(file, start, 'error', 'yamlSyntax', `${message}; fix the YAML syntax here.`));
  }
  if (document.errors.length > 0) return { tree: undefined, problems };

  // A 1,000-stage pipeline is about 20,000 nodes; the budget leaves room for ten times that.
  let budget = options.maxNodes ?? 250_000;
  const stopped: Tree = { kind: 'scalar', value: null, position: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  const maxDepth = options.maxDepth ?? MAX_NESTING_DEPTH;
  let exhausted: string | undefined;
  let tooDeepAt: SourcePosition | undefined;
  const located = (node: YamlNode | null | undefined, fallback: number) => {
    const range = node?.range;
    return { position: positionAt(range?.[0] ?? fallback), end: positionAt(range?.[1] ?? fallback) };
  };

  const convert = (node: unknown, depth: number, fallback: number): Tree => {
    budget -= 1;
    if (depth > maxDepth) {
      tooDeepAt ??= located(node as YamlNode | null, fallback).position;
      return stopped;
    }
    if (budget < 0) {
      exhausted ??= 'it expands to too many nodes (an alias bomb?)';
      return stopped;
    }
    if (isAlias(node)) {
      const target = node.resolve(document);
      const start = node.range?.[0] ?? fallback;
      // An alias is reported where it is used, not where its anchor is.
      const resolved = convert(target, depth + 1, start);
      return { ...resolved, ...located(node, start) };
    }
    if (isScalar(node)) {
      const source = node.type === 'PLAIN' && typeof node.source === 'string' ? { source: node.source } : {};
      return { kind: 'scalar', value: scalarValue(node), ...source, ...located(node, fallback) };
    }
    if (isMap(node)) {
      const entries: MapEntryTree[] = [];
      const start = node.range?.[0] ?? fallback;
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = convert(keyNode, depth + 1, start);
        // MLproject names like `n` and `no` are both `false` in YAML 1.1 but distinct names.
        const keyValue =
          key.kind !== 'scalar'
            ? undefined
            : options.version === '1.1' && typeof key.value === 'boolean' && key.source !== undefined
              ? key.source
              : key.value;
        if (keyValue !== undefined && keyValue !== null && typeof keyValue !== 'object') {
          if (seen.has(keyValue)) duplicates.push({ key: String(keyValue), position: key.position });
          seen.add(keyValue);
        }
        const valueStart = keyNode?.range?.[1] ?? start;
        const value = convert(pair.value, depth + 1, valueStart);
        const isMergeKey =
          isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === 'PLAIN' && options.version !== '1.1';
        if (isMergeKey) mergeInto(entries, value);
        else entries.push({ key, value });
      }
      return { kind: 'map', entries, ...located(node, fallback) };
    }
    if (isSeq(node)) {
      const start = node.range?.[0] ?? fallback;
      const items = node.items.map((item) => convert(item, depth + 1, start));
      return { kind: 'seq', items, ...located(node, fallback) };
    }
    // A missing value (`key:` with nothing after it) is null, located where it would be.
    return { kind: 'scalar', value: null, ...located(undefined, fallback) };
  };

  const duplicates: Array<{ key: string; position: SourcePosition }> = [];
  const tree = document.contents === null ? undefined : convert(document.contents, 0, 0);
  for (const duplicate of duplicates) {
    const message = `The key '${duplicate.key}' appears twice in the same map; YAML keys must be unique, so remove or rename one.`;
    problems.push(problemAt(file, duplicate.position, 'error', 'yamlSyntax', message));
  }
  if (duplicates.length > 0) return { tree: undefined, problems };
  if (tooDeepAt !== undefined) {
    problems.push(problemAt(file, tooDeepAt, 'error', 'nestingTooDeep', nestingTooDeepMessage('YAML')));
    return { tree: undefined, problems };
  }
  if (exhausted !== undefined) {
    problems.push(problemAt(file, undefined, 'error', 'yamlSyntax', `This file cannot be read: ${exhausted}.`));
    return { tree: undefined, problems };
  }
  return { tree, problems };
}

/** `<<: *defaults` merge keys (supported by ruamel, which DVC uses): keys already present win. */
function mergeInto(entries: MapEntryTree[], source: Tree): void {
  const sources = source.kind === 'seq' ? source.items : [source];
  for (const item of sources) {
    if (item.kind !== 'map') continue;
    for (const entry of item.entries) {
      const exists = entries.some((existing) => sameKey(existing.key, entry.key));
      if (!exists) entries.push(entry);
    }
  }
}

function sameKey(a: Tree, b: Tree): boolean {
  return a.kind === 'scalar' && b.kind === 'scalar' && a.value === b.value;
}

function scalarValue(node: Scalar): unknown {
  const value = node.value;
  if (typeof value === 'number') {
    const source = typeof node.source === 'string' ? node.source : String(value);
    const isFloat = !Number.isFinite(value) || !Number.isInteger(value) || !integerSource.test(source.trim());
    return isFloat && Number.isFinite(value) && Number.isInteger(value) ? pythonFloat(value) : value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return '';
  return value;
}

/** The plain value of a tree (maps as objects, later keys win), for params files and vars. */
export function treeToValue(tree: Tree): unknown {
  if (tree.kind === 'scalar') return tree.value;
  if (tree.kind === 'seq') return tree.items.map(treeToValue);
  const result: Record<string, unknown> = {};
  for (const entry of tree.entries) {
    if (entry.key.kind !== 'scalar') continue;
    result[keyText(entry.key.value)] = treeToValue(entry.value);
  }
  return result;
}

/** How Python would print a YAML key that is not a string (`1: x` has the key `1`). */
export function keyText(value: unknown): string {
  return typeof value === 'string' ? value : formatPythonValue(value);
}
