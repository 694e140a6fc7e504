import type { Problem, Severity } from '../problems';
import { editDistance } from '../text/editDistance';
import type { MapTree, Tree } from './parseYamlTree';
import { keyText } from './parseYamlTree';

/**
 * Reads typed values out of a located YAML tree and collects the problems, each placed at the
 * node at fault. One instance per file being read.
 */
export class TreeReader {
  readonly problems: Problem[] = [];

  constructor(readonly file: string) {}

  report(
    node: Tree | { position: Tree['position']; end?: Tree['end'] },
    severity: Severity,
    code: string,
    message: string,
  ): void {
    const end = node.end;
    this.problems.push({
      file: this.file,
      line: node.position.line,
      column: node.position.column,
      ...(end ? { endLine: end.line, endColumn: end.column } : {}),
      severity,
      code,
      message,
    });
  }

  wrongType(node: Tree, what: string, expected: string): void {
    this.report(node, 'error', 'wrongType', `${what} must be ${expected}, not ${describe(node)}.`);
  }

  string(node: Tree, what: string): string | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
    this.wrongType(node, what, 'a string');
    return undefined;
  }

  /** A scalar that is written as text in a shell or URL (numbers and bools as YAML wrote them). */
  scalarText(node: Tree, what: string): string | undefined {
    if (node.kind === 'scalar' && node.value !== null && typeof node.value !== 'object') return String(node.value);
    if (node.kind === 'scalar' && node.value !== null) return keyText(node.value);
    this.wrongType(node, what, 'a string');
    return undefined;
  }

  boolean(node: Tree, what: string): boolean | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    this.wrongType(node, what, 'true or false');
    return undefined;
  }

  number(node: Tree, what: string): number | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'number') return node.value;
    if (
      node.kind === 'scalar' &&
      typeof node.value === 'object' &&
      node.value !== null &&
      'pythonFloat' in node.value
    ) {
      return node.value.pythonFloat as number;
    }
    this.wrongType(node, what, 'a number');
    return undefined;
  }

  map(node: Tree, what: string): MapTree | undefined {
    if (node.kind === 'map') return node;
    this.wrongType(node, what, 'a map of keys');
    return undefined;
  }

  /** A list (or null for an empty list) of items; a lone scalar is an error. */
  list(node: Tree, what: string): readonly Tree[] | undefined {
    if (node.kind === 'seq') return node.items;
    if (node.kind === 'scalar' && node.value === null) return [];
    this.wrongType(node, what, 'a list');
    return undefined;
  }

  stringList(node: Tree, what: string): Array<{ value: string; node: Tree }> {
    const items = this.list(node, what) ?? [];
    const result: Array<{ value: string; node: Tree }> = [];
    for (const item of items) {
      const value = this.string(item, `Each item of ${what}`);
      if (value !== undefined) result.push({ value, node: item });
    }
    return result;
  }

  /** Reports keys that are not allowed, with a "did you mean" when a known key is close. */
  checkKeys(map: MapTree, allowed: readonly string[], where: string, severity: Severity = 'error'): void {
    for (const { key } of map.entries) {
      const name = key.kind === 'scalar' ? keyText(key.value) : undefined;
      if (name !== undefined && allowed.includes(name)) continue;
      const suggestion = name === undefined ? undefined : suggestKey(name, allowed);
      const hint = suggestion ? ` Did you mean '${suggestion}'?` : ` Allowed keys: ${allowed.join(', ')}.`;
      this.report(key, severity, 'unknownKey', `Unknown key '${name ?? '?'}' in ${where}.${hint}`);
    }
  }
}

export function entryKey(entry: { key: Tree }): string | undefined {
  return entry.key.kind === 'scalar' ? keyText(entry.key.value) : undefined;
}

export function findEntry(map: MapTree, name: string): { key: Tree; value: Tree } | undefined {
  return map.entries.find((entry) => entryKey(entry) === name);
}

function describe(node: Tree): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  const value = node.value;
  if (value === null) return 'empty';
  if (typeof value === 'string') return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'object') return 'a number';
  return `${typeof value === 'boolean' ? 'the boolean' : 'the number'} ${String(value)}`;
}

/** The closest allowed key by edit distance, when close enough to be a typo. */
export function suggestKey(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return bestDistance <= limit ? best : undefined;
}
