/**
 * Mutations of real inputs for the fuzz suites: the text mutations keep most of a real file's
 * shape (so the parser gets past its first line) and break it in the ways files really break:
 * cut off, a line lost or doubled, an indent off, a hostile token in the middle.
 */

import { concatBytes } from '../../support/tfeventsWriter';

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const below = (random: Random, limit: number) => Math.floor(random() * limit);

/** Tokens that parsers of YAML, JSON, TOML, Python and CSV each treat specially somewhere. */
const hostileTokens = [
  '\0',
  '\uFEFF',
  '\u202E',
  '\t',
  '\r',
  '\r\n',
  '\u2028',
  '\uD800',
  '\x1b[31m',
  '&anchor ',
  '*anchor',
  '<<: *anchor',
  '!!binary ',
  '!!python/object:os.system ',
  '? ',
  '- ',
  ': ',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '|',
  '>-',
  '"',
  "'",
  '\\',
  '\\u0000',
  '${',
  '}',
  '${item.',
  '${{',
  '{',
  '[',
  ']',
  ',',
  '#',
  '=',
  '[[',
  '"""',
  'NaN',
  '-inf',
  '1e999',
  '0x7fffffffffffffff',
  '-0',
  'true',
  'null',
  '~',
  '../../..',
  '/etc/passwd',
  '..\\..\\',
  'C:\\',
  '\u2215',
  '\uFF0E\uFF0E',
  'x'.repeat(5000),
  '    ',
  '\n\n\n',
  '__import__("os").system("true")',
  '$(touch pwned)',
  '`touch pwned`',
  '; touch pwned',
];

/** One random mutation of `text`. */
function mutateOnce(random: Random, text: string): string {
  const at = below(random, text.length + 1);
  switch (below(random, 9)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + pick(random, hostileTokens) + text.slice(at);
    case 2: {
      const end = Math.min(text.length, at + 1 + below(random, 40));
      return text.slice(0, at) + pick(random, hostileTokens) + text.slice(end);
    }
    case 3:
    case 4: {
      const lines = text.split('\n');
      const index = below(random, lines.length);
      const kind = below(random, 4);
      if (kind === 0) lines.splice(index, 1);
      else if (kind === 1) lines.splice(index, 0, lines[index] ?? '');
      else if (kind === 2) lines[index] = ` ${lines[index] ?? ''}`;
      else lines[index] = (lines[index] ?? '').replace(/^\s/, '');
      return lines.join('\n');
    }
    case 5: {
      const lines = text.split('\n');
      const left = below(random, lines.length);
      const right = below(random, lines.length);
      [lines[left], lines[right]] = [lines[right]!, lines[left]!];
      return lines.join('\n');
    }
    case 6:
      return text.slice(0, at) + String.fromCharCode(below(random, 0x10000)) + text.slice(at);
    case 7: {
      const end = Math.min(text.length, at + below(random, 200));
      return text.slice(0, at) + text.slice(at, end).repeat(1 + below(random, 4)) + text.slice(at);
    }
    default:
      return generatedText(random);
  }
}

/** A real text with 1 to 4 mutations. */
export function mutateText(random: Random, text: string): string {
  let result = text;
  const count = 1 + below(random, 4);
  for (let index = 0; index < count; index++) result = mutateOnce(random, result);
  return result;
}

/** A text made of hostile tokens, words and line breaks, with no real file behind it. */
export function generatedText(random: Random): string {
  const parts: string[] = [];
  const length = below(random, 60);
  for (let index = 0; index < length; index++) {
    const choice = below(random, 4);
    if (choice === 0) parts.push(pick(random, hostileTokens));
    else if (choice === 1) parts.push(pick(random, ['stages', 'cmd', 'deps', 'outs', 'params', 'vars', 'foreach']));
    else if (choice === 2) parts.push('\n' + ' '.repeat(below(random, 8)));
    else parts.push(String(random() * 1000));
  }
  return parts.join('');
}

/** A real binary file cut off, with bytes flipped, inserted or doubled. */
export function mutateBytes(random: Random, bytes: Uint8Array): Uint8Array {
  let result: Uint8Array = bytes.slice();
  const count = 1 + below(random, 4);
  for (let index = 0; index < count; index++) {
    const at = below(random, result.length + 1);
    const kind = below(random, 4);
    if (kind === 0) result = result.slice(0, at);
    else if (kind === 1) {
      for (let flip = 0; flip < 1 + below(random, 8); flip++) {
        if (result.length > 0) result[below(random, result.length)] = below(random, 256);
      }
    } else if (kind === 2) {
      const inserted = Uint8Array.from({ length: below(random, 64) }, () => below(random, 256));
      result = concatBytes([result.subarray(0, at), inserted, result.subarray(at)]);
    } else {
      const end = Math.min(result.length, at + below(random, 256));
      result = concatBytes([result.subarray(0, end), result.subarray(at, end), result.subarray(end)]);
    }
  }
  return result;
}
