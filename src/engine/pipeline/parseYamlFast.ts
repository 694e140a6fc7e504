import { pythonFloat } from '../params/formatPythonValue';
import type { SourcePosition } from './model';
import type { MapEntryTree, Tree } from './parseYamlTree';

/**
 * A fast reader for the plain block-style YAML that pipeline files are almost always written in:
 * block maps and sequences, one-line plain and quoted scalars, one-line flow collections and
 * comments, typed by the YAML 1.2 core schema. It is several times faster than the general
 * parser on big files (a 1,000-stage pipeline). Anything else (anchors, aliases, tags, block or
 * multi-line scalars, tabs, CR, directives, duplicate keys, any error) makes it give up and
 * return undefined, and the general `yaml` parser reads the file instead, so behaviour and
 * problems are the same either way (a differential test compares the two on every fixture).
 */
class Unsupported extends Error {}

const nullPattern = /^(?:~|[Nn]ull|NULL)?$/;
const boolPattern = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const intPattern = /^[-+]?[0-9]+$/;
const octalPattern = /^0o[0-7]+$/;
const hexPattern = /^0x[0-9a-fA-F]+$/;
const floatPattern = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const specialFloatPattern = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** Characters that cannot start a plain scalar here (or that need the general parser). */
const badPlainStart = new Set(['[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

export function parseYamlFast(text: string): { tree: Tree | undefined } | undefined {
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return { tree: new FastYaml(text).document() };
  } catch (error) {
    // Unsupported input, or a stack overflow on pathological nesting: the general parser decides.
    // Anything else is a bug in this reader, and falling back would hide it: it propagates.
    if (error instanceof Unsupported || isStackOverflow(error)) return undefined;
    throw error;
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function plainValue(source: string): unknown {
  if (nullPattern.test(source)) return null;
  if (boolPattern.test(source)) return source[0] === 't' || source[0] === 'T';
  if (intPattern.test(source)) return Number(source);
  if (octalPattern.test(source)) return parseInt(source.slice(2), 8);
  if (hexPattern.test(source)) return parseInt(source.slice(2), 16);
  if (floatPattern.test(source)) {
    const value = Number(source);
    return Number.isInteger(value) ? pythonFloat(value) : value;
  }
  if (specialFloatPattern.test(source)) {
    if (/nan/i.test(source)) return NaN;
    return source.startsWith('-') ? -Infinity : Infinity;
  }
  return source;
}

const escapes: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  ' ': ' ',
};

/** One reader per text (state: the cursor). */
class FastYaml {
  private index = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let offset = 0; offset < text.length; offset++)
      if (text.charCodeAt(offset) === 10) this.lineStarts.push(offset + 1);
  }

  private position(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  private scalar(value: unknown, start: number, end: number, source?: string): Tree {
    return {
      kind: 'scalar',
      value,
      ...(source !== undefined ? { source } : {}),
      position: this.position(start),
      end: this.position(end),
    };
  }

  /**
   * Moves to the first character of the next line holding content (or stays on the current one
   * when the cursor is still in its indentation); returns its indent, or -1 at the end.
   */
  private nextContentLine(): number {
    let lineStart = this.index;
    while (lineStart > 0 && this.text[lineStart - 1] === ' ') lineStart--;
    if (lineStart === 0 || this.text[lineStart - 1] === '\n') this.index = lineStart;
    for (;;) {
      if (this.index >= this.text.length) return -1;
      let cursor = this.index;
      while (this.text[cursor] === ' ') cursor++;
      const char = this.text[cursor];
      if (char === undefined) {
        this.index = cursor;
        return -1;
      }
      if (char === '\n' || char === '#') {
        const newline = this.text.indexOf('\n', cursor);
        this.index = newline === -1 ? this.text.length : newline + 1;
        continue;
      }
      const indent = cursor - this.index;
      if (indent === 0 && (this.text.startsWith('---', cursor) || this.text.startsWith('...', cursor) || char === '%'))
        throw new Unsupported();
      this.index = cursor;
      return indent;
    }
  }

  private column(offset: number): number {
    return offset - this.lineStarts[this.position(offset).line - 1]!;
  }

  document(): Tree | undefined {
    const indent = this.nextContentLine();
    if (indent === -1) return undefined;
    const tree = this.blockNode(indent);
    if (this.nextContentLine() !== -1) throw new Unsupported();
    return tree;
  }

  /** A block node starting at the cursor (which is at its first character), at `indent` columns. */
  private blockNode(indent: number): Tree {
    if (indent > 400) throw new Unsupported();
    const char = this.text[this.index];
    if (char === '-' && this.isSpaceOrEnd(this.index + 1)) return this.blockSequence(indent);
    if (this.looksLikeMapKey()) return this.blockMap(indent);
    // A one-line scalar on its own line (`foreach:\n  ${list}`); a continuation line makes the caller give up.
    const value = this.flowNode(false);
    this.skipToLineEnd();
    return value;
  }

  private isSpaceOrEnd(offset: number): boolean {
    const char = this.text[offset];
    return char === undefined || char === ' ' || char === '\n';
  }

  private looksLikeMapKey(): boolean {
    const lineEnd = this.lineEnd();
    const char = this.text[this.index];
    let from = this.index;
    if (char === '"' || char === "'") {
      // A quoted key is followed by its colon; a quoted value is not.
      const close = this.text.indexOf(char, this.index + 1);
      if (close === -1 || close > lineEnd) return false;
      from = close + 1;
      return this.text[from] === ':' && this.isSpaceOrEnd(from + 1);
    }
    for (let cursor = from; cursor < lineEnd; cursor++) {
      if (this.text[cursor] === ':' && this.isSpaceOrEnd(cursor + 1)) return true;
      if (this.text[cursor] === ' ' && this.text[cursor + 1] === '#') return false;
    }
    return false;
  }

  private lineEnd(): number {
    const newline = this.text.indexOf('\n', this.index);
    return newline === -1 ? this.text.length : newline;
  }

  private blockSequence(indent: number): Tree {
    const start = this.index;
    const items: Tree[] = [];
    let end = start;
    for (;;) {
      const dash = this.index;
      this.index++;
      items.push(this.afterIndicator(indent, dash + 1));
      end = this.index;
      const next = this.nextContentLine();
      if (next < indent || next === -1) break;
      if (next > indent) throw new Unsupported();
      // A key at the same indent ends a sequence written under its parent's key (`key:\n- a`).
      if (this.text[this.index] !== '-' || !this.isSpaceOrEnd(this.index + 1)) break;
    }
    return { kind: 'seq', items, position: this.position(start), end: this.position(end) };
  }

  /** The value after `key:` or `- `: inline on this line, a nested block below, or null. */
  private afterIndicator(parentIndent: number, nullAt: number): Tree {
    while (this.text[this.index] === ' ') this.index++;
    const char = this.text[this.index];
    const atLineEnd = char === undefined || char === '\n' || (char === '#' && this.text[this.index - 1] === ' ');
    if (atLineEnd) {
      const emptyAt = char === '#' || char === undefined || char === '\n' ? this.index : nullAt;
      const lineStart = this.index;
      const next = this.nextContentLine();
      const isSequenceHere =
        next === parentIndent && this.text[this.index] === '-' && this.isSpaceOrEnd(this.index + 1);
      if (next > parentIndent || (isSequenceHere && this.text[nullAt - 1] === ':')) return this.blockNode(next);
      this.index = lineStart;
      this.skipToLineEnd();
      return this.scalar(null, emptyAt, emptyAt, '');
    }
    const column = this.column(this.index);
    if (char === '-' && this.isSpaceOrEnd(this.index + 1)) return this.blockSequence(column);
    if (char !== '[' && char !== '{' && this.looksLikeMapKey()) {
      if (this.text[nullAt - 1] === ':') throw new Unsupported(); // `a: b: c` is an error
      return this.blockMap(column);
    }
    const value = this.flowNode(false);
    this.skipToLineEnd();
    return value;
  }

  /** After a value: only spaces and a comment may follow on the line. */
  private skipToLineEnd(): void {
    while (this.text[this.index] === ' ') this.index++;
    const char = this.text[this.index];
    if (char === '#' && this.text[this.index - 1] === ' ') this.index = this.lineEnd();
    else if (char !== undefined && char !== '\n') throw new Unsupported();
    if (this.text[this.index] === '\n') this.index++;
  }

  private blockMap(indent: number): Tree {
    const start = this.index;
    const entries: MapEntryTree[] = [];
    const seen = new Set<unknown>();
    let end = start;
    for (;;) {
      const key = this.mapKey();
      if (key.kind === 'scalar' && (typeof key.value === 'object' || seen.has(key.value) || key.value === '<<'))
        throw new Unsupported();
      seen.add((key as { value: unknown }).value);
      const colon = this.index;
      this.index++;
      entries.push({ key, value: this.afterIndicator(indent, colon + 1) });
      end = this.index;
      const next = this.nextContentLine();
      if (next < indent || next === -1) break;
      if (next > indent || !this.looksLikeMapKey()) throw new Unsupported();
    }
    return { kind: 'map', entries, position: this.position(start), end: this.position(end) };
  }

  /** A block map key, leaving the cursor on its `:`. */
  private mapKey(): Tree {
    const start = this.index;
    const char = this.text[start];
    if (char === '"' || char === "'") {
      const key = this.quoted();
      if (this.text[this.index] !== ':') throw new Unsupported();
      return key;
    }
    if (char === undefined || badPlainStart.has(char) || char === '?' || (char === '-' && this.isSpaceOrEnd(start + 1)))
      throw new Unsupported();
    let cursor = start;
    while (!(this.text[cursor] === ':' && this.isSpaceOrEnd(cursor + 1))) {
      if (this.text[cursor] === '\n' || cursor >= this.text.length) throw new Unsupported();
      cursor++;
    }
    const source = this.text.slice(start, cursor).trimEnd();
    this.index = cursor;
    return this.scalar(plainValue(source), start, start + source.length, source);
  }

  private quoted(): Tree {
    const start = this.index;
    const quote = this.text[start]!;
    let value = '';
    let cursor = start + 1;
    for (;;) {
      const char = this.text[cursor];
      if (char === undefined || char === '\n') throw new Unsupported();
      if (quote === "'" && char === "'") {
        if (this.text[cursor + 1] === "'") {
          value += "'";
          cursor += 2;
          continue;
        }
        break;
      }
      if (quote === '"' && char === '"') break;
      if (quote === '"' && char === '\\') {
        const next = this.text[cursor + 1] ?? '';
        if (next in escapes) {
          value += escapes[next];
          cursor += 2;
          continue;
        }
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(cursor + 2, cursor + 6))) {
          value += String.fromCharCode(parseInt(this.text.slice(cursor + 2, cursor + 6), 16));
          cursor += 6;
          continue;
        }
        throw new Unsupported();
      }
      value += char;
      cursor++;
    }
    this.index = cursor + 1;
    return this.scalar(value, start, this.index);
  }

  /** A one-line flow node: `[…]`, `{…}`, a quoted or a plain scalar. */
  private depth = 0;

  private flowNode(inFlow: boolean): Tree {
    if (++this.depth > 100) throw new Unsupported();
    try {
      return this.flowNodeAt(inFlow);
    } finally {
      this.depth--;
    }
  }

  private flowNodeAt(inFlow: boolean): Tree {
    const char = this.text[this.index];
    if (char === '[') return this.flowSequence();
    if (char === '{') return this.flowMap();
    if (char === '"' || char === "'") return this.quoted();
    return this.plainScalar(inFlow);
  }

  private plainScalar(inFlow: boolean): Tree {
    const start = this.index;
    const first = this.text[start];
    if (
      first === undefined ||
      badPlainStart.has(first) ||
      ((first === '?' || first === ':' || first === '-') && this.isSpaceOrEnd(start + 1))
    )
      throw new Unsupported();
    let cursor = start;
    for (;;) {
      const char = this.text[cursor];
      if (char === undefined || char === '\n') break;
      if (char === '#' && this.text[cursor - 1] === ' ') break;
      if (char === ':' && (this.isSpaceOrEnd(cursor + 1) || (inFlow && ',]}'.includes(this.text[cursor + 1]!)))) {
        if (inFlow) break;
        throw new Unsupported();
      }
      if (inFlow && (char === ',' || char === ']' || char === '}' || char === '[' || char === '{')) break;
      cursor++;
    }
    const source = this.text.slice(start, cursor).trimEnd();
    this.index = start + source.length;
    return this.scalar(plainValue(source), start, this.index, source);
  }

  private skipFlowSpace(): void {
    while (this.text[this.index] === ' ') this.index++;
    const char = this.text[this.index];
    if (char === '\n' || char === undefined || char === '#') throw new Unsupported();
  }

  private flowSequence(): Tree {
    const start = this.index;
    this.index++;
    const items: Tree[] = [];
    for (;;) {
      this.skipFlowSpace();
      if (this.text[this.index] === ']') break;
      const item = this.flowNode(true);
      this.skipFlowSpace();
      if (this.text[this.index] === ':') throw new Unsupported(); // `[a: b]` pairs
      items.push(item);
      if (this.text[this.index] === ',') this.index++;
      else if (this.text[this.index] !== ']') throw new Unsupported();
    }
    this.index++;
    return { kind: 'seq', items, position: this.position(start), end: this.position(this.index) };
  }

  private flowMap(): Tree {
    const start = this.index;
    this.index++;
    const entries: MapEntryTree[] = [];
    const seen = new Set<unknown>();
    for (;;) {
      this.skipFlowSpace();
      if (this.text[this.index] === '}') break;
      const key = this.flowNode(true);
      if (key.kind !== 'scalar' || typeof key.value === 'object' || seen.has(key.value) || key.value === '<<')
        throw new Unsupported();
      seen.add(key.value);
      this.skipFlowSpace();
      if (this.text[this.index] !== ':') throw new Unsupported();
      this.index++;
      this.skipFlowSpace();
      const next = this.text[this.index];
      const value = next === ',' || next === '}' ? this.scalar(null, this.index, this.index, '') : this.flowNode(true);
      entries.push({ key, value });
      this.skipFlowSpace();
      if (this.text[this.index] === ',') this.index++;
      else if (this.text[this.index] !== '}') throw new Unsupported();
    }
    this.index++;
    return { kind: 'map', entries, position: this.position(start), end: this.position(this.index) };
  }
}
