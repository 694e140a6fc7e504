import { isPythonFloat } from '../params/formatPythonValue';
import { formatYamlKey, formatYamlValue } from './formatYamlScalar';
import type { LockedPath, StageLockEntry } from './model';

/**
 * Block YAML in DVC's layout (ruamel: 2-space mappings, sequences not indented under their key,
 * None printed as nothing). Only what lock files hold: maps, lists and scalars.
 */
const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isPythonFloat(value);

function emitMapping(entries: ReadonlyArray<readonly [string, unknown]>, indent: number, lines: string[]): void {
  for (const [key, value] of entries) {
    const head = `${' '.repeat(indent)}${formatYamlKey(key)}:`;
    emitValue(head, value, indent, lines);
  }
}

/** `head` is `key:` or `- ` prefix text already on the line; nested blocks go below it. */
function emitValue(head: string, value: unknown, indent: number, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) lines.push(`${head} []`);
    else {
      lines.push(head);
      emitSequence(value, indent, lines);
    }
  } else if (isMapping(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) lines.push(`${head} {}`);
    else {
      lines.push(head);
      emitMapping(entries, indent + 2, lines);
    }
  } else {
    lines.push(`${head}${formatYamlValue(value, head.length, indent + 2)}`);
  }
}

function emitSequence(items: readonly unknown[], indent: number, lines: string[]): void {
  const dash = `${' '.repeat(indent)}-`;
  for (const item of items) {
    const isBlock = (Array.isArray(item) && item.length > 0) || (isMapping(item) && Object.keys(item).length > 0);
    if (!isBlock) {
      emitValue(dash, item, indent, lines);
      continue;
    }
    // The item's first line shares the dash: render it indented by 2 and put the dash in front.
    const nested: string[] = [];
    if (Array.isArray(item)) emitSequence(item, indent + 2, nested);
    else emitMapping(Object.entries(item as Record<string, unknown>), indent + 2, nested);
    nested[0] = `${dash} ${nested[0]!.slice(indent + 2)}`;
    lines.push(...nested);
  }
}

function pathFields(locked: LockedPath): Array<readonly [string, unknown]> {
  const fields: Array<readonly [string, unknown]> = [['path', locked.path]];
  if (locked.hash !== undefined) fields.push(['hash', locked.hash]);
  if (locked.md5 !== undefined) fields.push(['md5', locked.md5]);
  if (locked.size !== undefined) fields.push(['size', locked.size]);
  if (locked.nfiles !== undefined) fields.push(['nfiles', locked.nfiles]);
  if (locked.isexec === true) fields.push(['isexec', true]);
  return fields;
}

/** DVC's order: `params.yaml` first, then the other files alphabetically; keys sorted per file. */
export function orderParams(params: StageLockEntry['params']): Array<readonly [string, Record<string, unknown>]> {
  const files = Object.keys(params).sort((a, b) => {
    if (a === 'params.yaml' || b === 'params.yaml') return a === 'params.yaml' ? (b === a ? 0 : -1) : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return files.map((file) => {
    const values = params[file]!;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(values).sort()) sorted[key] = values[key];
    return [file, sorted] as const;
  });
}

/** The lines of one stage's entry under `stages:` (stage key at `indent`, default 2). */
export function serializeLockEntry(name: string, entry: StageLockEntry, indent = 2): string[] {
  const lines = [`${' '.repeat(indent)}${formatYamlKey(name)}:`];
  const body: Array<readonly [string, unknown]> = [['cmd', entry.cmd]];
  if (entry.deps.length > 0) body.push(['deps', entry.deps.map((dep) => Object.fromEntries(pathFields(dep)))]);
  const params = orderParams(entry.params);
  if (params.length > 0) body.push(['params', Object.fromEntries(params)]);
  if (entry.outs.length > 0) body.push(['outs', entry.outs.map((out) => Object.fromEntries(pathFields(out)))]);
  emitMapping(body, indent + 2, lines);
  return lines;
}

/**
 * The text of each entry already serialized under `stages:`, by entry object (entries are never
 * changed once made: a new result is a new object). `mlc run` rewrites the whole lock file every
 * 250 ms while stages finish; with 1,000 stages, formatting every entry again each time was a
 * fifth of the scheduler's own CPU.
 */
const serializedEntries = new WeakMap<StageLockEntry, { readonly name: string; readonly text: string }>();

/** A whole schema 2.0 lock file, stages in the given order. */
export function serializeLockFile(stages: ReadonlyMap<string, StageLockEntry>): string {
  const parts = ["schema: '2.0'\nstages:\n"];
  for (const [name, entry] of stages) {
    let serialized = serializedEntries.get(entry);
    if (serialized?.name !== name) {
      serialized = { name, text: `${serializeLockEntry(name, entry).join('\n')}\n` };
      serializedEntries.set(entry, serialized);
    }
    parts.push(serialized.text);
  }
  return parts.join('');
}
