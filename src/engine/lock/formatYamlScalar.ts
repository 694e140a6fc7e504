import { formatPythonNumber, isPythonFloat } from '../params/formatPythonValue';

/**
 * Scalars as DVC's YAML writer (ruamel.yaml, round-trip mode, width 80) prints them, so lock
 * entries mlc writes are the bytes `dvc repro` would write. Covers what lock files hold: strings,
 * ints, floats (Python repr, `.nan`/`.inf`), bools and None (printed as nothing).
 */
const WIDTH = 80;

/** Plain text that a YAML 1.1 or 1.2 reader would turn into something other than a string. */
const NON_STRING_PLAIN =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(?:0|[1-9][0-9_]*)|0o?[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?|=|<<)$/;

const isPrintable = (text: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff]/.test(text);

function isPlainAllowed(text: string): boolean {
  if (text === '' || NON_STRING_PLAIN.test(text)) return false;
  if (text.includes('\n') || text.includes('\r') || text.includes('\t') || !isPrintable(text)) return false;
  if (text.startsWith(' ') || text.endsWith(' ') || text.endsWith(':')) return false;
  if (/^[,[\]{}#&*!|>'"%@`]/.test(text)) return false;
  if (/^[-?:](?:\s|$)/.test(text)) return false;
  return !text.includes(': ') && !text.includes(' #');
}

/** A mapping key (no folding). */
export function formatYamlKey(key: string): string {
  if (isPlainAllowed(key)) return key;
  if (isPrintable(key) && !/[\n\r\t]/.test(key)) return `'${key.replaceAll("'", "''")}'`;
  return doubleQuoted(key);
}

/**
 * A scalar written after `key:` or `-` that ends at `column`; continuation lines of a folded
 * string start at `indent`. Returns the text to append, starting with its separating space
 * (or nothing at all for None, as ruamel prints it).
 */
export function formatYamlValue(value: unknown, column: number, indent: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? ' true' : ' false';
  if (typeof value === 'bigint') return ` ${value.toString()}`;
  if (typeof value === 'number') return ` ${formatNumber(value, !Number.isInteger(value))}`;
  if (isPythonFloat(value)) return ` ${formatNumber(value.pythonFloat, true)}`;
  const text = String(value);
  if (isPlainAllowed(text)) return foldPlain(text, column, indent);
  if (isPrintable(text) && !/[\n\r\t]/.test(text)) return foldSingleQuoted(text, column, indent);
  return ` ${doubleQuoted(text)}`;
}

function formatNumber(value: number, isFloat: boolean): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  return formatPythonNumber(value, isFloat);
}

/**
 * ruamel's write_plain: words are written as they come, and a single space becomes a line break
 * once the line is already past 80 columns. (Newer ruamel releases also move a word that would
 * cross column 80; both foldings read back as the same string, so DVC sees the same value.)
 */
function foldPlain(text: string, column: number, indent: number): string {
  let output = ' ';
  let current = column + 1;
  for (const token of text.match(/ +|[^ ]+/g) ?? []) {
    if (token === ' ' && current > WIDTH) {
      output += `\n${' '.repeat(indent)}`;
      current = indent;
      continue;
    }
    output += token;
    current += token.length;
  }
  return output;
}

/** ruamel's write_single_quoted: like plain, but never breaks at a leading or trailing space. */
function foldSingleQuoted(text: string, column: number, indent: number): string {
  let output = " '";
  let current = column + 2;
  const tokens = text.match(/ +|[^ ]+/g) ?? [];
  tokens.forEach((token, index) => {
    const isInner = index > 0 && index < tokens.length - 1;
    if (token === ' ' && isInner && current > WIDTH) {
      output += `\n${' '.repeat(indent)}`;
      current = indent;
      return;
    }
    const escaped = token.replaceAll("'", "''");
    output += escaped;
    current += escaped.length;
  });
  return `${output}'`;
}

function doubleQuoted(text: string): string {
  const escapes: Record<string, string> = {
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '"': '\\"',
    '\\': '\\\\',
    '\0': '\\0',
  };
  let output = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const escape = escapes[character];
    if (escape) output += escape;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) output += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfeff) output += '\\ufeff';
    else output += character;
  }
  return `${output}"`;
}
