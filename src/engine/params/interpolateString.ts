import { formatTemplateValue, isPythonFloat } from './formatPythonValue';
import { quoteShellArgument } from '../commandLine/quoteShellArgument';
import { type ContextNode, type TemplateContext, unwrapNode } from './templateContext';

/**
 * `${}` interpolation as DVC does it (dvc/parsing/interpolate.py): the match is non-greedy up to
 * the first `}`, `\${` escapes, a string that is exactly one `${…}` keeps the raw value (a number
 * stays a number, a list stays a list), and otherwise each value is spliced in with DVC's `to_str`.
 * A map spliced into `cmd` is unpacked into `--key value` options.
 */
export type InterpolationResult =
  | { readonly ok: true; readonly value: unknown; readonly changed: boolean }
  | { readonly ok: false; readonly code: string; readonly message: string };

const expressionPattern = /(?<!\\)\$\{(.*?)\}/g;

export function hasInterpolation(text: string): boolean {
  expressionPattern.lastIndex = 0;
  return expressionPattern.test(text);
}

/** `a[0].b` -> `a.0.b`; undefined when the expression is not `name(.name | [index])*`. */
export function normalizeExpression(inner: string): string | undefined {
  const parts: string[] = [];
  let index = 0;
  const word = /[^.[\]]+/y;
  const readWord = (): string | undefined => {
    word.lastIndex = index;
    const match = word.exec(inner);
    if (!match || match[0].trim() === '') return undefined;
    index += match[0].length;
    return match[0].trim();
  };
  const first = readWord();
  if (first === undefined) return undefined;
  parts.push(first);
  while (index < inner.length) {
    const char = inner[index];
    index++;
    const part = readWord();
    if (part === undefined) return undefined;
    if (char === '[') {
      if (inner[index] !== ']') return undefined;
      index++;
    } else if (char !== '.') {
      return undefined;
    }
    parts.push(part);
  }
  return parts.join('.');
}

export interface InterpolationOptions {
  /** The stage key being templated (`cmd`, `deps`, ...): maps may be unpacked only into `cmd`. */
  readonly key?: string;
  /** Loop definitions (`foreach`, `matrix`) may take lists and maps. */
  readonly allowCollections?: boolean;
}

export function interpolateString(
  text: string,
  context: TemplateContext,
  options: InterpolationOptions = {},
): InterpolationResult {
  const matches = [...text.matchAll(expressionPattern)];
  if (matches.length === 0) {
    const unescaped = text.replaceAll('\\${', '${');
    return { ok: true, value: unescaped, changed: unescaped !== text };
  }
  const selected: ContextNode[] = [];
  for (const match of matches) {
    const inner = match[1] ?? '';
    const dotted = normalizeExpression(inner);
    if (dotted === undefined) {
      return {
        ok: false,
        code: 'unresolvedInterpolation',
        message: `'\${${inner}}' is not a valid expression; write \${name}, \${a.b} or \${a[0]}.`,
      };
    }
    const node = context.select(dotted);
    if (!node) {
      return {
        ok: false,
        code: 'unresolvedInterpolation',
        message: `Could not find '${inner}' for '\${${inner}}'; define it in params.yaml or in vars.`,
      };
    }
    selected.push(node);
  }
  const isExact = matches.length === 1 && matches[0]![0] === text;
  if (isExact) {
    const value = unwrapNode(selected[0]!);
    const error = checkType(value, options, true);
    return error ?? { ok: true, value, changed: true };
  }
  let result = '';
  let last = 0;
  for (const [index, match] of matches.entries()) {
    const value = unwrapNode(selected[index]!);
    const error = checkType(value, options, false);
    if (error) return error;
    let rendered: string;
    if (isMap(value)) {
      const unpacked = unpackOptions(value);
      if (!unpacked.ok) return unpacked;
      rendered = unpacked.value as string;
    } else {
      rendered = formatTemplateValue(value);
    }
    result += text.slice(last, match.index) + rendered;
    last = match.index + match[0].length;
  }
  result += text.slice(last);
  return { ok: true, value: result.replaceAll('\\${', '${'), changed: true };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isPythonFloat(value);
}

function checkType(value: unknown, options: InterpolationOptions, exact: boolean): InterpolationResult | undefined {
  const isCollection = Array.isArray(value) || isMap(value);
  if (!isCollection || options.allowCollections) return undefined;
  if (isMap(value) && options.key === 'cmd') return undefined;
  const type = Array.isArray(value) ? 'list' : 'dict';
  const where = exact ? 'here' : 'into a string';
  return {
    ok: false,
    code: 'invalidInterpolationType',
    message: `Cannot interpolate data of type '${type}' ${where}; only cmd can unpack a map, and only foreach and matrix take lists.`,
  };
}

/** Flattens nested maps with dotted keys; empty maps leave nothing (as DVC's flatten does). */
function flatten(
  value: Record<string, unknown>,
  prefix = '',
  into: Array<[string, unknown]> = [],
): Array<[string, unknown]> {
  for (const [key, item] of Object.entries(value)) {
    if (isMap(item)) flatten(item, `${prefix}${key}.`, into);
    else into.push([`${prefix}${key}`, item]);
  }
  return into;
}

/** DVC's dict unpacking for `cmd` (to_str on a dict, default parsing config: store_true and nargs). */
function unpackOptions(value: Record<string, unknown>): InterpolationResult {
  const parts: string[] = [];
  for (const [name, item] of flatten(value)) {
    // The option name is quoted like the values: a params key is data (a run repeated with the
    // params another tool recorded writes them), and `--epochs` stays as DVC writes it.
    const key = quoteShellArgument(`--${name}`);
    if (typeof item === 'boolean') {
      if (item) parts.push(key);
    } else if (typeof item === 'string') {
      parts.push(`${key} ${quoteShellArgument(item)}`);
    } else if (Array.isArray(item)) {
      const rendered: string[] = [];
      for (const element of item) {
        if (Array.isArray(element) || isMap(element)) {
          return {
            ok: false,
            code: 'invalidInterpolationType',
            message: `Cannot interpolate nested iterable in '${name}'; flatten that list.`,
          };
        }
        // Python's f"{i}" on a list item: str(), so a bool in a list is `True`, not `true`.
        rendered.push(typeof element === 'string' ? quoteShellArgument(element) : formatPythonValueForList(element));
      }
      if (rendered.length > 0) parts.push(`${key} ${rendered.join(' ')}`);
    } else {
      parts.push(`${key} ${formatPythonValueForList(item)}`);
    }
  }
  return { ok: true, value: parts.join(' '), changed: true };
}

function formatPythonValueForList(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return formatTemplateValue(value);
}

/**
 * For loop definitions written as one `${…}`: the selected context node itself (not a copy), so
 * generated stages keep track of which params file each item came from.
 */
export function selectExactNode(
  text: string,
  context: TemplateContext,
): { node: ContextNode } | Extract<InterpolationResult, { ok: false }> | undefined {
  const matches = [...text.matchAll(expressionPattern)];
  if (matches.length !== 1 || matches[0]![0] !== text) return undefined;
  const inner = matches[0]![1] ?? '';
  const dotted = normalizeExpression(inner);
  const node = dotted === undefined ? undefined : context.select(dotted);
  if (node) return { node };
  const result = interpolateString(text, context);
  return result.ok ? undefined : result;
}
