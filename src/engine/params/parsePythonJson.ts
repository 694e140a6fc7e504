import { type Problem, problemAt } from '../problems';
import { pythonFloat } from './formatPythonValue';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage } from './nestingLimit';

/**
 * JSON as Python's `json` module reads it (DVC's loader for `.json` params files): it also accepts
 * `NaN`, `Infinity` and `-Infinity`, and a number with a fraction or exponent is a float, so `1.0`
 * is boxed as PythonFloat. Never throws: a syntax error becomes a located `paramsFileSyntax` problem.
 */
export function parsePythonJson(text: string, file: string): { value: unknown; problems: Problem[] } {
  const parser = new JsonParser(text);
  try {
    parser.skipSpace();
    const value = parser.parseValue(0);
    parser.skipSpace();
    if (parser.index < text.length) parser.fail('Unexpected text after the JSON value');
    return { value, problems: [] };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const position = positionOf(text, error.offset);
    return {
      value: undefined,
      problems: [
        error.code === 'paramsFileSyntax'
          ? problemAt(file, position, 'error', error.code, `${error.message}; fix the JSON here.`)
          : problemAt(file, position, 'error', error.code, error.message),
      ],
    };
  }
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const numberPattern = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A recursive-descent parser; one instance per text (state: the read position). */
class JsonParser {
  index = 0;
  constructor(private readonly text: string) {}

  fail(message: string, offset = this.index, code = 'paramsFileSyntax'): never {
    throw new JsonSyntaxError(message, offset, code);
  }

  skipSpace(): void {
    while (this.index < this.text.length && ' \t\n\r'.includes(this.text[this.index]!)) this.index++;
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_NESTING_DEPTH) this.fail(nestingTooDeepMessage('JSON'), this.index, 'nestingTooDeep');
    const char = this.text[this.index];
    if (char === '{') return this.parseObject(depth);
    if (char === '[') return this.parseArray(depth);
    if (char === '"') return this.parseString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ] as const) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return value;
      }
    }
    numberPattern.lastIndex = this.index;
    const match = numberPattern.exec(this.text);
    if (!match) this.fail(char === undefined ? 'Unexpected end of the JSON' : `Unexpected character '${char}'`);
    this.index += match[0].length;
    const value = Number(match[0]);
    const isFloat = match[1] !== undefined || match[2] !== undefined;
    return isFloat && Number.isInteger(value) ? pythonFloat(value) : value;
  }

  parseObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.index++;
    this.skipSpace();
    if (this.text[this.index] === '}') {
      this.index++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] !== '"') this.fail('Expected a quoted key');
      const key = this.parseString();
      this.skipSpace();
      if (this.text[this.index] !== ':') this.fail("Expected ':' after the key");
      this.index++;
      this.skipSpace();
      result[key] = this.parseValue(depth + 1);
      this.skipSpace();
      const next = this.text[this.index];
      this.index++;
      if (next === '}') return result;
      if (next !== ',') this.fail("Expected ',' or '}'", this.index - 1);
    }
  }

  parseArray(depth: number): unknown[] {
    const result: unknown[] = [];
    this.index++;
    this.skipSpace();
    if (this.text[this.index] === ']') {
      this.index++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      result.push(this.parseValue(depth + 1));
      this.skipSpace();
      const next = this.text[this.index];
      this.index++;
      if (next === ']') return result;
      if (next !== ',') this.fail("Expected ',' or ']'", this.index - 1);
    }
  }

  parseString(): string {
    const start = this.index;
    this.index++;
    let result = '';
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) this.fail('Unterminated string', start);
      this.index++;
      if (char === '"') return result;
      if (char !== '\\') {
        result += char;
        continue;
      }
      const escape = this.text[this.index];
      this.index++;
      if (escape === 'u') {
        const hex = this.text.slice(this.index, this.index + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape');
        result += String.fromCharCode(parseInt(hex, 16));
        this.index += 4;
      } else if (escape !== undefined && escape in escapes) {
        result += escapes[escape];
      } else {
        this.fail('Invalid escape in a string', this.index - 2);
      }
    }
  }
}

export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let index = 0; index < end; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
