/**
 * The Run History filter language, pure so it is unit-tested:
 *
 *   accuracy > 0.9 and train.lr < 0.01      comparisons on any column (params, metrics, fields)
 *   status == failed or source == mlflow    `and` binds tighter than `or`; `not`, parentheses
 *   name ~ baseline                         `~` contains (case-insensitive), `!~` does not
 *   resnet "two words"                      free text: matches name, id, source, status, note, tags
 *
 * Operators: == (or =) != > >= < <= ~ !~. A value is a number, a bare word or a quoted string;
 * a column name with spaces or operators is written in backticks. Errors carry the character
 * range they apply to, so the panel underlines the exact spot.
 */
export type ComparisonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

export interface FilterRange {
  /** 0-based offset of the first character, and of the character after the last. */
  readonly start: number;
  readonly end: number;
}

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly fieldRange: FilterRange;
      readonly operator: ComparisonOperator;
      readonly value: string | number;
    }
  | { readonly kind: 'text'; readonly text: string };

export interface FilterProblem extends FilterRange {
  readonly message: string;
}

export interface ParsedFilter {
  /** Undefined for an empty expression (everything matches) or one with errors. */
  readonly value: FilterNode | undefined;
  readonly problems: readonly FilterProblem[];
}

type TokenKind = 'word' | 'string' | 'field' | 'operator' | 'open' | 'close' | 'end';

interface Token extends FilterRange {
  readonly kind: TokenKind;
  readonly text: string;
}

const OPERATORS: readonly ComparisonOperator[] = ['==', '!=', '>=', '<=', '!~', '>', '<', '~'];
const KEYWORDS = new Set(['and', 'or', 'not']);
const WORD_CHARACTER = /[^\s()"'`=!<>~]/;

function tokenize(source: string): { tokens: Token[]; problems: FilterProblem[] } {
  const tokens: Token[] = [];
  const problems: FilterProblem[] = [];
  let index = 0;
  while (index < source.length) {
    const character = source[index]!;
    if (/\s/.test(character)) {
      index++;
      continue;
    }
    const start = index;
    if (character === '(' || character === ')') {
      tokens.push({ kind: character === '(' ? 'open' : 'close', text: character, start, end: ++index });
      continue;
    }
    if (character === '"' || character === "'" || character === '`') {
      const close = source.indexOf(character, index + 1);
      if (close < 0) {
        problems.push({ start, end: source.length, message: `Close the quote ${character} opened here.` });
        index = source.length;
        continue;
      }
      tokens.push({
        kind: character === '`' ? 'field' : 'string',
        text: source.slice(index + 1, close),
        start,
        end: close + 1,
      });
      index = close + 1;
      continue;
    }
    if (character === '=' && source[index + 1] !== '=') {
      tokens.push({ kind: 'operator', text: '==', start, end: ++index });
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (operator) {
      index += operator.length;
      tokens.push({ kind: 'operator', text: operator, start, end: index });
      continue;
    }
    if (character === '!' || character === '=') {
      problems.push({ start, end: start + 1, message: `Unexpected ${character}: use ==, !=, ~ or !~.` });
      index++;
      continue;
    }
    while (index < source.length && WORD_CHARACTER.test(source[index]!)) index++;
    tokens.push({ kind: 'word', text: source.slice(start, index), start, end: index });
  }
  tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
  return { tokens, problems };
}

const isKeyword = (token: Token, keyword: string) => token.kind === 'word' && token.text.toLowerCase() === keyword;

/** Parses a filter expression; never throws. */
export function parseFilterExpression(source: string): ParsedFilter {
  const { tokens, problems } = tokenize(source);
  if (problems.length > 0) return { value: undefined, problems };
  if (tokens.length === 1) return { value: undefined, problems: [] };
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const fail = (token: Token, message: string): never => {
    throw { start: token.start, end: Math.max(token.end, token.start + 1), message } satisfies FilterProblem;
  };

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isKeyword(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseNot();
    for (;;) {
      const token = peek();
      if (isKeyword(token, 'and')) {
        next();
        left = { kind: 'and', left, right: parseNot() };
      } else if (token.kind === 'word' || token.kind === 'string' || token.kind === 'field' || token.kind === 'open') {
        // Juxtaposed terms ("resnet failed") mean "and", as in a search box.
        if (isKeyword(token, 'or')) return left;
        left = { kind: 'and', left, right: parseNot() };
      } else {
        return left;
      }
    }
  };
  const parseNot = (): FilterNode => {
    if (isKeyword(peek(), 'not')) {
      next();
      return { kind: 'not', operand: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): FilterNode => {
    const token = next();
    if (token.kind === 'open') {
      const inner = parseOr();
      const close = next();
      if (close.kind !== 'close')
        fail(close, close.kind === 'end' ? 'Close the parenthesis opened earlier.' : 'Expected ).');
      return inner;
    }
    if (token.kind === 'close') fail(token, 'This ) has no matching (.');
    if (token.kind === 'operator') fail(token, `${token.text} needs a column name before it.`);
    if (token.kind === 'end') fail(token, 'The expression ends too early: add a term.');
    if (token.kind === 'word' && KEYWORDS.has(token.text.toLowerCase())) {
      fail(token, `"${token.text}" needs a term before it.`);
    }
    if (peek().kind !== 'operator') {
      if (token.kind === 'field')
        fail(token, `Compare the column ${token.text} with a value (e.g. \`${token.text}\` > 1).`);
      return { kind: 'text', text: token.text };
    }
    const operator = next();
    const valueToken = next();
    if (valueToken.kind !== 'word' && valueToken.kind !== 'string') {
      fail(valueToken, `${operator.text} needs a value after it.`);
    }
    const numeric = valueToken.kind === 'word' ? Number(valueToken.text) : Number.NaN;
    return {
      kind: 'compare',
      field: token.text,
      fieldRange: { start: token.start, end: token.end },
      operator: operator.text as ComparisonOperator,
      value:
        valueToken.kind === 'word' && valueToken.text !== '' && Number.isFinite(numeric) ? numeric : valueToken.text,
    };
  };

  try {
    const value = parseOr();
    const rest = peek();
    if (rest.kind !== 'end')
      fail(rest, rest.kind === 'close' ? 'This ) has no matching (.' : `Unexpected ${rest.text}.`);
    return { value, problems: [] };
  } catch (problem) {
    return { value: undefined, problems: [problem as FilterProblem] };
  }
}
