import { type Document, LineCounter, type YAMLError, YAMLParseError, parseDocument, visit } from 'yaml';
import { pythonFloat } from '../params/formatPythonValue';
import type { LockFileContent, LockedPath, StageLockEntry } from './model';

/**
 * A fast reader for lock files in the exact layout DVC (and mlc) write: `schema: '2.0'`,
 * `stages:`, 2-space block maps, sequences at their key's indent, plain or quoted scalars. A
 * 1,000-stage dvc.lock is ~400 KB, which a general YAML parser takes several hundred ms to read;
 * status must answer in a fraction of that. Anything outside the layout (comments, anchors, flow
 * collections, unknown keys) returns undefined and the caller uses the YAML parser, so the result
 * is always the same as the general path (a test checks both on every real lock file).
 */
export function parseLockLayout(text: string): LockFileContent | undefined {
  // Comments and tabs are outside the layout; anchors and aliases are caught where values start.
  if (text.includes('\r') || text.includes('\t') || text.includes(' #')) return undefined;
  const lines = text.split('\n');
  let index = 0;
  const next = () => {
    while (index < lines.length && indentOf(lines[index]!) < 0) index++;
    return lines[index];
  };
  if (next() !== "schema: '2.0'") return undefined;
  index++;
  if (next() !== 'stages:') return undefined;
  index++;
  const stages = new Map<string, StageLockEntry>();
  for (let line = next(); line !== undefined; line = next()) {
    const key = keyOf(line, 2);
    if (!key || key.value !== '') return undefined;
    index++;
    const body = takeBlock(lines, index, 2);
    index += body.length;
    const entry = readStage(body);
    if (!entry || stages.has(key.key)) return undefined;
    stages.set(key.key, entry);
  }
  return { version: 2, stages };
}

interface KeyLine {
  readonly key: string;
  /** The scalar text after `key:` (empty when the value is a block below). */
  readonly value: string;
}

const KEY = /^(?:'((?:[^']|'')*)'|([^\s'"[\]{}#&*!|>%@`,?:-][^:]*?|-[^\s:][^:]*?)):(?: +(.*))?$/;

function keyOf(line: string, indent: number): KeyLine | undefined {
  if (line.length <= indent || line.slice(0, indent).trim() !== '' || line[indent] === ' ') return undefined;
  const match = KEY.exec(line.slice(indent));
  if (!match) return undefined;
  const [, quoted, plain, value = ''] = match;
  return { key: quoted !== undefined ? quoted.replaceAll("''", "'") : plain!, value };
}

/**
 * Leading whitespace of a line, -1 when it is blank. Every line is looked at several times, so
 * the common case (spaces, then a printable ASCII character) allocates nothing; anything else
 * falls back to trim() so that the answer is the same as trim's.
 */
function indentOf(line: string): number {
  let position = 0;
  while (position < line.length && line.charCodeAt(position) === 32) position++;
  if (position === line.length) return -1;
  const code = line.charCodeAt(position);
  if (code > 32 && code < 127) return position;
  return line.trim() === '' ? -1 : line.length - line.trimStart().length;
}

/** The lines after `start` that are indented deeper than `indent` (blank lines inside included). */
function takeBlock(lines: readonly string[], start: number, indent: number): string[] {
  let end = start;
  let last = start;
  for (; end < lines.length; end++) {
    const indentation = indentOf(lines[end]!);
    if (indentation < 0) continue;
    if (indentation <= indent) break;
    last = end + 1;
  }
  return lines.slice(start, last);
}

/** How many lines sequence items span. */
function lineCount(items: readonly string[][]): number {
  let count = 0;
  for (const item of items) count += item.length;
  return count;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readStage(body: readonly string[]): StageLockEntry | undefined {
  const entry: Mutable<StageLockEntry> = { cmd: '', deps: [], params: {}, outs: [] };
  let hasCommand = false;
  for (let index = 0; index < body.length;) {
    const key = keyOf(body[index]!, 4);
    if (!key) return undefined;
    const block = takeBlock(body, index + 1, 4);
    const sequence = takeSequence(body, index + 1, 4);
    index += 1 + Math.max(block.length, lineCount(sequence));
    if (key.key === 'cmd') {
      hasCommand = true;
      if (key.value === '') {
        const items = sequence.map((item) => readScalar(item[0]!.slice(6), item.slice(1)));
        if (sequence.length === 0 || !items.every((item) => typeof item === 'string')) return undefined;
        entry.cmd = items as string[];
      } else {
        const command = readScalar(key.value, block);
        if (typeof command !== 'string') return undefined;
        entry.cmd = command;
      }
    } else if ((key.key === 'deps' || key.key === 'outs') && key.value === '' && block.length === 0) {
      const paths = sequence.map(readLockedPath);
      if (paths.some((path) => path === undefined)) return undefined;
      entry[key.key] = paths as LockedPath[];
    } else if (key.key === 'params' && key.value === '') {
      const params = readParams(block);
      if (!params) return undefined;
      entry.params = params;
    } else {
      return undefined;
    }
  }
  return hasCommand ? entry : undefined;
}

/** Sequence items at `indent` (`- ...` lines and their deeper continuation lines). */
function takeSequence(lines: readonly string[], start: number, indent: number): string[][] {
  const items: string[][] = [];
  const dash = `${' '.repeat(indent)}- `;
  let index = start;
  while (index < lines.length && lines[index]!.startsWith(dash)) {
    const rest = takeBlock(lines, index + 1, indent + 1);
    items.push([lines[index]!, ...rest]);
    index += 1 + rest.length;
  }
  return items;
}

const PATH_KEYS = new Set(['path', 'hash', 'md5', 'size', 'nfiles', 'isexec']);

function readLockedPath(item: readonly string[]): LockedPath | undefined {
  // `    - path: x` then `      hash: md5` ...: read the dash line as if it were indented by 6.
  const lines = [`      ${item[0]!.slice(6)}`, ...item.slice(1)];
  const fields: Record<string, unknown> = {};
  for (let index = 0; index < lines.length;) {
    const key = keyOf(lines[index]!, 6);
    if (!key || !PATH_KEYS.has(key.key) || key.key in fields) return undefined;
    const continuation = takeBlock(lines, index + 1, 6);
    index += 1 + continuation.length;
    const value = readScalar(key.value, continuation);
    if (value === undefined) return undefined;
    fields[key.key] = value;
  }
  if (typeof fields.path !== 'string') return undefined;
  const locked: Mutable<LockedPath> = { path: fields.path };
  if (typeof fields.hash === 'string') locked.hash = fields.hash;
  if (typeof fields.md5 === 'string') locked.md5 = fields.md5;
  if (typeof fields.size === 'number') locked.size = fields.size;
  if (typeof fields.nfiles === 'number') locked.nfiles = fields.nfiles;
  if (fields.isexec === true) locked.isexec = true;
  return locked;
}

function readParams(block: readonly string[]): Record<string, Record<string, unknown>> | undefined {
  const params: Record<string, Record<string, unknown>> = {};
  for (let index = 0; index < block.length;) {
    const file = keyOf(block[index]!, 6);
    if (!file || Object.hasOwn(params, file.key)) return undefined;
    const keys = takeBlock(block, index + 1, 6);
    index += 1 + keys.length;
    if (file.value === '{}' && keys.length === 0) {
      params[file.key] = {};
      continue;
    }
    if (file.value !== '') return undefined;
    const values: Record<string, unknown> = {};
    for (let position = 0; position < keys.length;) {
      const key = keyOf(keys[position]!, 8);
      if (!key || Object.hasOwn(values, key.key)) return undefined;
      const nested = takeBlock(keys, position + 1, 8);
      const sequence = takeSequence(keys, position + 1, 8);
      const size = Math.max(nested.length, lineCount(sequence));
      position += 1 + size;
      const value =
        key.value === '' && size > 0
          ? readNested(keys.slice(position - size, position))
          : readScalar(key.value, nested);
      if (value === undefined) return undefined;
      values[key.key] = value;
    }
    params[file.key] = values;
  }
  return params;
}

/** A nested params value (a sub-map or a list): the YAML parser reads just that part. */
function readNested(lines: readonly string[]): unknown {
  const { value, errors } = yamlToValue(lines.map((line) => line.slice(8)).join('\n'));
  return errors.length > 0 ? undefined : value;
}

/**
 * YAML text to plain values the way lock files need them: integral floats (`1.0`) boxed as
 * PythonFloat, because JavaScript numbers lose the difference and DVC writes `1.0` back.
 */
export function yamlToValue(
  text: string,
  options: { readonly uniqueKeys?: boolean } = {},
): { value: unknown; errors: readonly YAMLError[]; lineCounter: LineCounter; document: Document.Parsed } {
  const lineCounter = new LineCounter();
  const uniqueKeys = options.uniqueKeys ?? false;
  const document = parseDocument(text, { lineCounter, uniqueKeys, prettyErrors: false });
  if (document.errors.length > 0) return { value: undefined, errors: document.errors, lineCounter, document };
  visit(document, {
    Scalar(_key, node) {
      const source = node.source ?? '';
      const isIntegralFloat =
        typeof node.value === 'number' && Number.isInteger(node.value) && !/^[-+]?[0-9]+$/.test(source);
      if (isIntegralFloat && !/^0[xo]/i.test(source)) node.value = pythonFloat(node.value as number);
    },
  });
  try {
    return { value: document.toJS({ maxAliasCount: 100 }) as unknown, errors: [], lineCounter, document };
  } catch (error) {
    // The yaml package throws (a ReferenceError) for an alias to no anchor and for aliases that
    // expand past maxAliasCount (a billion laughs): an error of the text like any other.
    return { value: undefined, errors: [aliasError(document, error)], lineCounter, document };
  }
}

/** The alias problem as a YAMLError at the first alias of the document. */
function aliasError(document: Document.Parsed, error: unknown): YAMLError {
  let offset = 0;
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  const message = error instanceof Error ? error.message : String(error);
  return new YAMLParseError([offset, offset + 1], 'BAD_ALIAS', `${message}.`);
}

const INTEGER = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * One scalar, YAML 1.2 core schema as the yaml package reads it, with integral floats boxed as
 * PythonFloat. Folded continuation lines join with single spaces. Undefined: let YAML decide.
 */
function readScalar(first: string, continuation: readonly string[]): unknown {
  let text = first.trimEnd();
  if (continuation.length > 0) {
    if (continuation.some((line) => line.trim() === '')) return undefined;
    // Folding: each line break becomes one space, trailing spaces of a line are dropped, and a
    // value that starts on the next line (`path:` then the path, as newer ruamel writes) has none.
    const parts = [text, ...continuation.map((line) => line.trim())];
    text = (parts[0] === '' ? parts.slice(1) : parts).join(' ');
  }
  if (text.startsWith("'")) {
    const inner = text.slice(1, -1);
    if (!text.endsWith("'") || text.length < 2 || /(?<!')'(?!')/.test(inner.replaceAll("''", ''))) return undefined;
    return inner.replaceAll("''", "'");
  }
  if (text.startsWith('"')) {
    if (continuation.length > 0 || /\\[^"\\/bfnrtu]/.test(text)) return undefined;
    try {
      return JSON.parse(text) as string;
    } catch {
      return undefined;
    }
  }
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (/^[[\]{}&*!|>%@`"#]/.test(text) || text.includes(': ') || text.endsWith(':')) return undefined;
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  // A letter starts no number, .inf, .nan or 0x: most lock scalars (paths, `md5`) stop here.
  const lead = text.charCodeAt(0);
  if ((lead >= 65 && lead <= 90) || (lead >= 97 && lead <= 122)) return text;
  if (INTEGER.test(text)) return Number(text);
  if (FLOAT.test(text)) {
    const value = Number(text);
    return Number.isInteger(value) ? pythonFloat(value) : value;
  }
  if (/^(?:0x|0o|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$)/.test(text)) return undefined;
  return text;
}
