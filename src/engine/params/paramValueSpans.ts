/**
 * Where each leaf value of a JSON or TOML params file is written in its text, so Rerun can put a
 * recorded value back by replacing those characters only: the file keeps its indentation, key
 * order, comments (TOML) and the spelling of every value it does not change. Lists are leaves,
 * as run records flatten them. A value these scanners do not locate (TOML inline tables, arrays
 * of tables) is simply absent from the map, and the caller reports it as not restorable; a text
 * they cannot scan gives undefined. Pure and never throws.
 */

export interface ValueSpan {
  /** Offset of the value's first character. */
  readonly start: number;
  /** Offset just after its last character. */
  readonly end: number;
}

/** Spans by key path, the path's parts joined with NUL (keys may hold dots). */
export type ValueSpans = ReadonlyMap<string, ValueSpan>;

export const spanKey = (path: readonly string[]): string => path.join('\u0000');

class ScanError extends Error {}

/** Python's json (NaN, Infinity) as parsePythonJson reads it. */
export function jsonValueSpans(text: string): ValueSpans | undefined {
  const spans = new Map<string, ValueSpan>();
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const expect = (char: string) => {
    if (text[at] !== char) throw new ScanError();
    at++;
  };
  const skipString = (): string => {
    const start = at;
    expect('"');
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    expect('"');
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: readonly string[]): void => {
    skipSpace();
    const start = at;
    if (text[at] === '{') {
      at++;
      skipSpace();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = skipString();
        skipSpace();
        expect(':');
        value([...path, key]);
        skipSpace();
        if (text[at] === '}') {
          at++;
          return;
        }
        expect(',');
      }
    }
    if (text[at] === '[') at = endOfBrackets(text, at, '"');
    else if (text[at] === '"') skipString();
    else while (at < text.length && !/[\s,\]}]/.test(text[at]!)) at++;
    if (at === start) throw new ScanError();
    if (path.length > 0) spans.set(spanKey(path), { start, end: at });
  };
  try {
    value([]);
    return spans;
  } catch {
    // ScanError or a bad string escape: a text this scanner does not follow locates nothing.
    return undefined;
  }
}

/** TOML: `key = value` lines under `[table]` headers, dotted and quoted keys included. */
export function tomlValueSpans(text: string): ValueSpans | undefined {
  const spans = new Map<string, ValueSpan>();
  let at = 0;
  // undefined below an `[[array.of.tables]]` header: its keys are not located.
  let table: readonly string[] | undefined = [];
  const skipBlank = () => {
    while (at < text.length && /[ \t]/.test(text[at]!)) at++;
  };
  const skipToNextLine = () => {
    while (at < text.length && text[at] !== '\n') at++;
    at++;
  };
  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipBlank();
      const start = at;
      if (text[at] === '"') {
        at++;
        while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
        at++;
        parts.push(JSON.parse(text.slice(start, at)) as string);
      } else if (text[at] === "'") {
        at = text.indexOf("'", at + 1) + 1;
        if (at === 0) throw new ScanError();
        parts.push(text.slice(start + 1, at - 1));
      } else {
        while (at < text.length && /[A-Za-z0-9_-]/.test(text[at]!)) at++;
        if (at === start) throw new ScanError();
        parts.push(text.slice(start, at));
      }
      skipBlank();
      if (text[at] !== '.') return parts;
      at++;
    }
  };
  try {
    while (at < text.length) {
      skipBlank();
      const char = text[at];
      if (char === '\n' || char === '\r' || char === '#') skipToNextLine();
      else if (text.startsWith('[[', at)) {
        table = undefined;
        skipToNextLine();
      } else if (char === '[') {
        at++;
        table = key();
        skipToNextLine();
      } else {
        const path = key();
        if (text[at] !== '=') throw new ScanError();
        at++;
        skipBlank();
        const start = at;
        at = endOfTomlValue(text, at);
        if (table && text[start] !== '{') spans.set(spanKey([...table, ...path]), { start, end: at });
        skipToNextLine();
      }
    }
    return spans;
  } catch {
    return undefined;
  }
}

function endOfTomlValue(text: string, start: number): number {
  for (const quotes of ['"""', "'''"]) {
    if (!text.startsWith(quotes, start)) continue;
    let end = text.indexOf(quotes, start + 3);
    if (end === -1) throw new ScanError();
    // Up to two quotes may end the content right before the closing three.
    for (let extra = 0; extra < 2 && text[end + 3] === quotes[0]; extra++) end++;
    return end + 3;
  }
  const char = text[start];
  if (char === '[' || char === '{') return endOfBrackets(text, start, '"\'', '#');
  if (char === '"') {
    let at = start + 1;
    while (at < text.length && text[at] !== '"' && text[at] !== '\n') at += text[at] === '\\' ? 2 : 1;
    if (text[at] !== '"') throw new ScanError();
    return at + 1;
  }
  if (char === "'") {
    const end = text.indexOf("'", start + 1);
    if (end === -1) throw new ScanError();
    return end + 1;
  }
  // A bare value (number, boolean, date-time with a space in it) runs to a comment or the line's end.
  let end = start;
  while (end < text.length && text[end] !== '\n' && text[end] !== '#') end++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end === start) throw new ScanError();
  return end;
}

/**
 * The offset after the bracket that closes the one at `start` (`[` or `{`), skipping strings
 * (quoted by any of `quotes`, with backslash escapes in double-quoted ones) and, when given,
 * comments to the end of their line.
 */
function endOfBrackets(text: string, start: number, quotes: string, comment?: string): number {
  let depth = 0;
  let at = start;
  while (at < text.length) {
    const char = text[at]!;
    if (quotes.includes(char)) {
      at++;
      while (at < text.length && text[at] !== char) at += char === '"' && text[at] === '\\' ? 2 : 1;
    } else if (char === comment) {
      while (at < text.length && text[at] !== '\n') at++;
      continue;
    } else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  throw new ScanError();
}
