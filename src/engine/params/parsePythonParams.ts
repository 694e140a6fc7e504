import { type Problem, problemAt } from '../problems';
import { pythonFloat } from './formatPythonValue';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage } from './nestingLimit';
import { positionOf } from './parsePythonJson';

/**
 * Python params files (`params.py`) as DVC reads them with `ast` (dvc/utils/serialize/_py.py):
 * top-level `NAME = <literal>` and `NAME: T = <literal>`, class bodies as nested maps, and
 * `self.NAME = <literal>` inside a class's `__init__`. Literals are numbers, strings (adjacent ones
 * joined), True/False/None, lists, tuples, sets and dicts; a statement with anything else (a call,
 * a name, an f-string) is skipped, as DVC skips it. Tuples and sets become lists.
 */
export function parsePythonParams(text: string, file: string): { value: unknown; problems: Problem[] } {
  const tokens = tokenize(text);
  if (!Array.isArray(tokens)) {
    const position = positionOf(text, tokens.offset);
    const problem = tokens.tooDeep
      ? problemAt(file, position, 'error', 'nestingTooDeep', nestingTooDeepMessage('Python file'))
      : problemAt(file, position, 'error', 'paramsFileSyntax', `${tokens.message}; fix the Python here.`);
    return { value: undefined, problems: [problem] };
  }
  const parser = { tokens, index: 0 };
  return { value: parseBlock(parser, false), problems: [] };
}

interface Token {
  readonly type: 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';
  readonly text: string;
  /** For strings: the decoded value, or undefined for f-strings (not literals). */
  readonly value?: string;
  readonly bytes?: boolean;
}

const operators = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '->',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '**',
  '//',
  '<<',
  '>>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];
const numberPattern =
  /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?[jJ]?)/y;
const namePattern = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/y;
const stringStart = /([rRbBuUfF]{0,2})('''|"""|'|")/y;
const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\n': '',
};

function tokenize(text: string): Token[] | { message: string; offset: number; tooDeep?: true } {
  const tokens: Token[] = [];
  const indents = [0];
  let index = 0;
  let depth = 0;
  let atLineStart = true;
  while (index < text.length) {
    if (atLineStart && depth === 0) {
      let width = 0;
      let cursor = index;
      while (cursor < text.length && (text[cursor] === ' ' || text[cursor] === '\t')) {
        width = text[cursor] === '\t' ? (Math.floor(width / 8) + 1) * 8 : width + 1;
        cursor++;
      }
      const next = text[cursor];
      if (next === '\n' || next === '\r' || next === '#' || next === undefined) {
        while (cursor < text.length && text[cursor] !== '\n') cursor++;
        index = cursor + 1;
        continue;
      }
      if (width > indents.at(-1)!) {
        if (indents.length >= MAX_NESTING_DEPTH) return { message: 'too deep', offset: cursor, tooDeep: true };
        indents.push(width);
        tokens.push({ type: 'indent', text: '' });
      }
      while (width < indents.at(-1)!) {
        indents.pop();
        tokens.push({ type: 'dedent', text: '' });
      }
      index = cursor;
      atLineStart = false;
    }
    const char = text[index]!;
    if (char === '\n') {
      if (depth === 0) {
        tokens.push({ type: 'newline', text: '\n' });
        atLineStart = true;
      }
      index++;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\f') {
      index++;
    } else if (char === '#') {
      while (index < text.length && text[index] !== '\n') index++;
    } else if (char === '\\' && (text[index + 1] === '\n' || (text[index + 1] === '\r' && text[index + 2] === '\n'))) {
      index += text[index + 1] === '\n' ? 2 : 3;
    } else {
      stringStart.lastIndex = index;
      const string = stringStart.exec(text);
      if (string && (string[1] === '' || /^[rRbBuUfF]+$/.test(string[1]!))) {
        const read = readString(text, index, string[1]!, string[2]!);
        if ('message' in read) return read;
        tokens.push(read.token);
        index = read.end;
        continue;
      }
      numberPattern.lastIndex = index;
      const number = /[\d.]/.test(char) ? numberPattern.exec(text) : null;
      if (number && number[0] !== '.' && number[0] !== '') {
        tokens.push({ type: 'number', text: number[0] });
        index += number[0].length;
        continue;
      }
      namePattern.lastIndex = index;
      const name = namePattern.exec(text);
      if (name) {
        tokens.push({ type: 'name', text: name[0] });
        index += name[0].length;
        continue;
      }
      const operator = operators.find((candidate) => text.startsWith(candidate, index)) ?? char;
      if ('([{'.includes(operator)) depth++;
      // The parser recurses per bracket and per indented block: bound both before it runs.
      if (depth + indents.length > MAX_NESTING_DEPTH) return { message: 'too deep', offset: index, tooDeep: true };
      if (')]}'.includes(operator)) depth = Math.max(0, depth - 1);
      tokens.push({ type: 'op', text: operator });
      index += operator.length;
    }
  }
  if (depth > 0) return { message: 'A bracket is not closed', offset: text.length };
  tokens.push({ type: 'newline', text: '' });
  for (let level = 1; level < indents.length; level++) tokens.push({ type: 'dedent', text: '' });
  tokens.push({ type: 'end', text: '' });
  return tokens;
}

function readString(
  text: string,
  start: number,
  prefix: string,
  quote: string,
): { token: Token; end: number } | { message: string; offset: number } {
  const raw = /r/i.test(prefix);
  const isFormat = /f/i.test(prefix);
  let index = start + prefix.length + quote.length;
  let value = '';
  for (;;) {
    if (index >= text.length || (quote.length === 1 && text[index] === '\n'))
      return { message: 'A string is not closed', offset: start };
    if (text.startsWith(quote, index)) break;
    const char = text[index]!;
    if (char !== '\\') {
      value += char;
      index++;
      continue;
    }
    const next = text[index + 1] ?? '';
    if (raw) {
      value += char + next;
      index += 2;
      continue;
    }
    if (next in simpleEscapes) {
      value += simpleEscapes[next];
      index += 2;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = text.slice(index + 2, index + 2 + length);
      value +=
        /^[0-9a-fA-F]+$/.test(hex) && hex.length === length ? String.fromCodePoint(parseInt(hex, 16)) : `\\${next}`;
      index += 2 + (hex.length === length ? length : 0);
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(index + 1))![0];
      value += String.fromCharCode(parseInt(octal, 8));
      index += 1 + octal.length;
    } else {
      value += char + next;
      index += 2;
    }
  }
  const token: Token = {
    type: 'string',
    text: text.slice(start, index + quote.length),
    ...(isFormat ? {} : { value }),
    bytes: /b/i.test(prefix),
  };
  return { token, end: index + quote.length };
}

interface Parser {
  readonly tokens: readonly Token[];
  index: number;
}

function peek(parser: Parser, offset = 0): Token {
  return parser.tokens[parser.index + offset] ?? { type: 'end', text: '' };
}

/** A statement list until the matching dedent; DVC's `_ast_tree_to_dict`. */
function parseBlock(parser: Parser, onlySelf: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (;;) {
    const token = peek(parser);
    if (token.type === 'end') return result;
    if (token.type === 'dedent') {
      parser.index++;
      return result;
    }
    if (token.type === 'newline' || token.type === 'indent') {
      parser.index++;
      continue;
    }
    const line = readLogicalLine(parser);
    const opensBlock = line.at(-1)?.text === ':' && peek(parser).type === 'indent';
    if (opensBlock) parser.index++;
    const head = line[0]!;
    if (head.text === 'class' && line[1]?.type === 'name' && opensBlock) {
      result[line[1].text] = parseBlock(parser, false);
    } else if (head.text === 'def' && line[1]?.text === '__init__' && opensBlock) {
      Object.assign(result, parseBlock(parser, true));
    } else if (opensBlock) {
      parseBlock(parser, onlySelf); // any other compound statement: its body is not read
    } else {
      for (const statement of splitStatements(line)) readAssignment(statement, onlySelf, result);
    }
  }
}

function readLogicalLine(parser: Parser): Token[] {
  const line: Token[] = [];
  while (peek(parser).type !== 'newline' && peek(parser).type !== 'end') line.push(parser.tokens[parser.index++]!);
  if (peek(parser).type === 'newline') parser.index++;
  return line;
}

function splitStatements(line: readonly Token[]): Token[][] {
  const statements: Token[][] = [[]];
  for (const token of line) {
    if (token.type === 'op' && token.text === ';') statements.push([]);
    else statements.at(-1)!.push(token);
  }
  return statements.filter((statement) => statement.length > 0);
}

function readAssignment(statement: readonly Token[], onlySelf: boolean, into: Record<string, unknown>): void {
  let name: string | undefined;
  let rest: readonly Token[];
  if (!onlySelf && statement[0]?.type === 'name') {
    name = statement[0].text;
    rest = statement.slice(1);
  } else if (onlySelf && statement[0]?.text === 'self' && statement[1]?.text === '.' && statement[2]?.type === 'name') {
    name = statement[2].text;
    rest = statement.slice(3);
  } else return;
  let valueTokens: readonly Token[];
  if (rest[0]?.text === '=') valueTokens = rest.slice(1);
  else if (rest[0]?.text === ':') {
    const equals = rest.findIndex((token) => token.text === '=');
    if (equals === -1) return;
    valueTokens = rest.slice(equals + 1);
  } else return;
  // `a = b = 1` has two targets, which DVC skips.
  if (valueTokens.some((token) => token.type === 'op' && token.text === '=')) return;
  const parser = { tokens: [...valueTokens, { type: 'end', text: '' } as Token], index: 0 };
  const value = parseTuple(parser, true);
  if (value !== notLiteral && peek(parser).type === 'end') into[name] = value;
}

const notLiteral = Symbol('notLiteral');
type Literal = unknown;

/** `a, b` (a tuple) or a single expression. */
function parseTuple(parser: Parser, bareAllowed: boolean): Literal | typeof notLiteral {
  const first = parseAtom(parser);
  if (first === notLiteral || !bareAllowed || peek(parser).text !== ',') return first;
  const items = [first];
  while (peek(parser).text === ',') {
    parser.index++;
    if (peek(parser).type === 'end' || peek(parser).text === ')') break;
    const item = parseAtom(parser);
    if (item === notLiteral) return notLiteral;
    items.push(item);
  }
  return items;
}

function parseItems(parser: Parser, close: string): Literal[] | typeof notLiteral {
  const items: Literal[] = [];
  while (peek(parser).text !== close) {
    const item = parseAtom(parser);
    if (item === notLiteral) return notLiteral;
    items.push(item);
    if (peek(parser).text === ',') parser.index++;
    else if (peek(parser).text !== close) return notLiteral;
  }
  parser.index++;
  return items;
}

function parseAtom(parser: Parser): Literal | typeof notLiteral {
  const token = peek(parser);
  parser.index++;
  if (token.type === 'string') {
    if (token.value === undefined) return notLiteral;
    let value = token.value;
    while (peek(parser).type === 'string') {
      const next = peek(parser);
      if (next.value === undefined || next.bytes !== token.bytes) return notLiteral;
      value += next.value;
      parser.index++;
    }
    return value;
  }
  if (token.type === 'number') return parseNumber(token.text);
  if (token.text === '-' || token.text === '+') {
    const operand = peek(parser);
    if (operand.type !== 'number') return notLiteral;
    parser.index++;
    const value = parseNumber(operand.text);
    if (value === notLiteral || token.text === '+') return value;
    return typeof value === 'number' ? -value : pythonFloat(-(value as { pythonFloat: number }).pythonFloat);
  }
  if (token.type === 'name') {
    if (token.text === 'True') return true;
    if (token.text === 'False') return false;
    if (token.text === 'None') return null;
    return notLiteral;
  }
  if (token.text === '(') {
    if (peek(parser).text === ')') {
      parser.index++;
      return [];
    }
    const inner = parseTuple(parser, true);
    if (inner === notLiteral || peek(parser).text !== ')') return notLiteral;
    parser.index++;
    return inner;
  }
  if (token.text === '[') return parseItems(parser, ']');
  if (token.text === '{') return parseBraces(parser);
  return notLiteral;
}

/** A dict (`{k: v}`) or a set (`{a, b}`, read as a list). */
function parseBraces(parser: Parser): Literal | typeof notLiteral {
  if (peek(parser).text === '}') {
    parser.index++;
    return {};
  }
  const first = parseAtom(parser);
  if (first === notLiteral) return notLiteral;
  if (peek(parser).text !== ':') {
    if (peek(parser).text === ',') parser.index++;
    const rest = parseItems(parser, '}');
    return rest === notLiteral ? notLiteral : [first, ...rest];
  }
  const result: Record<string, unknown> = {};
  let key: Literal = first;
  for (;;) {
    if (peek(parser).text !== ':') return notLiteral;
    parser.index++;
    const value = parseAtom(parser);
    if (value === notLiteral) return notLiteral;
    result[typeof key === 'string' ? key : JSON.stringify(key)] = value;
    if (peek(parser).text === ',') parser.index++;
    if (peek(parser).text === '}') {
      parser.index++;
      return result;
    }
    key = parseAtom(parser);
    if (key === notLiteral) return notLiteral;
  }
}

function parseNumber(text: string): Literal | typeof notLiteral {
  const clean = text.replaceAll('_', '');
  if (/[jJ]$/.test(clean)) return notLiteral; // complex numbers have no JSON form
  if (/^0[xX]/.test(clean)) return parseInt(clean.slice(2), 16);
  if (/^0[oO]/.test(clean)) return parseInt(clean.slice(2), 8);
  if (/^0[bB]/.test(clean)) return parseInt(clean.slice(2), 2);
  const value = Number(clean);
  if (Number.isNaN(value)) return notLiteral;
  const isFloat = /[.eE]/.test(clean);
  return isFloat && Number.isInteger(value) ? pythonFloat(value) : value;
}
