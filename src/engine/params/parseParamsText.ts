import { parse as parseToml, TomlDate, TomlError } from 'smol-toml';
import { type Problem, problemAt } from '../problems';
import { parseYamlTree, treeToValue } from '../pipeline/parseYamlTree';
import { pythonFloat } from './formatPythonValue';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage } from './nestingLimit';
import { parsePythonJson } from './parsePythonJson';
import { parsePythonParams } from './parsePythonParams';
import { describeError } from '../engineError';

export type ParamsFormat = 'yaml' | 'json' | 'toml' | 'python';

/** DVC picks the loader by extension, case-insensitively; anything unknown is YAML. */
export function paramsFormatOf(path: string): ParamsFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.toml')) return 'toml';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.py')) return 'python';
  return 'yaml';
}

/**
 * Reads the text of a params file into a map (integral floats boxed as PythonFloat). The root must
 * be a map; an empty YAML document is `{}` as in DVC. Never throws.
 */
export function parseParamsText(
  text: string,
  file: string,
): { value: Record<string, unknown> | undefined; problems: Problem[] } {
  const format = paramsFormatOf(file);
  let value: unknown;
  let problems: Problem[];
  if (format === 'json') ({ value, problems } = parsePythonJson(text, file));
  else if (format === 'python') ({ value, problems } = parsePythonParams(text, file));
  else if (format === 'toml') ({ value, problems } = parseTomlParams(text, file));
  else {
    const parsed = parseYamlTree(text, file);
    problems = parsed.problems.map((problem) =>
      problem.code === 'nestingTooDeep' ? problem : { ...problem, code: 'paramsFileSyntax' },
    );
    value = problems.length > 0 ? undefined : parsed.tree === undefined ? {} : treeToValue(parsed.tree);
  }
  if (problems.length > 0 || value === undefined) return { value: undefined, problems };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `A params file must hold a map of keys at its top level; ${file} holds something else.`;
    return { value: undefined, problems: [problemAt(file, undefined, 'error', 'paramsFileSyntax', message)] };
  }
  return { value: value as Record<string, unknown>, problems: [] };
}

function parseTomlParams(text: string, file: string): { value: unknown; problems: Problem[] } {
  try {
    return {
      value: fromToml(parseToml(text, { integersAsBigInt: true, maxDepth: MAX_NESTING_DEPTH })),
      problems: [],
    };
  } catch (error) {
    const position = error instanceof TomlError ? { line: error.line, column: error.column } : undefined;
    // smol-toml's own depth check (its message says "excessively nested").
    if (error instanceof TomlError && /nested/.test(error.message))
      return {
        value: undefined,
        problems: [problemAt(file, position, 'error', 'nestingTooDeep', nestingTooDeepMessage('TOML'))],
      };
    const message = describeError(error).split('\n')[0];
    return { value: undefined, problems: [problemAt(file, position, 'error', 'paramsFileSyntax', `${message}.`)] };
  }
}

/** smol-toml returns ints as bigint (so `1` and `1.0` differ) and dates as TomlDate. */
function fromToml(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isInteger(value) ? pythonFloat(value) : value;
  if (value instanceof TomlDate) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromToml);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = fromToml(item);
    return result;
  }
  return value;
}
