import { join } from 'pathe';
import type { Stage } from '../pipeline/model';
import type { FileSystem } from '../ports';
import { type Problem, problemAt } from '../problems';
import { unboxPythonFloats } from './formatPythonValue';
import { parseParamsText } from './parseParamsText';
import { describeError } from '../engineError';

/**
 * Reading params files for stages: the values DVC records in dvc.lock (`params:`) and compares to
 * decide whether a stage changed. Values are plain JSON-like data (integral floats become plain
 * numbers; Python equality treats 1 and 1.0 as equal anyway).
 */
export interface ParamsFileContents {
  readonly value: Record<string, unknown> | undefined;
  readonly problems: Problem[];
}

export function loadParamsFile(
  fs: FileSystem,
  path: string,
): { value: Record<string, unknown> | undefined; problems: Problem[] } {
  const loaded = loadParamsTree(fs, path);
  return {
    value: loaded.value && (unboxPythonFloats(loaded.value) as Record<string, unknown>),
    problems: loaded.problems,
  };
}

/** Like loadParamsFile, but keeps integral floats boxed (for `${}` templating). */
export function loadParamsTree(
  fs: FileSystem,
  path: string,
): { value: Record<string, unknown> | undefined; problems: Problem[]; missing: boolean } {
  const stat = fs.stat(path);
  if (!stat || stat.kind !== 'file') {
    const what = stat ? 'is not a file' : 'does not exist';
    const message = `The params file ${path} ${what}; create it or fix the path.`;
    return {
      value: undefined,
      problems: [problemAt(path, undefined, 'error', 'missingParamsFile', message)],
      missing: true,
    };
  }
  let text: string;
  try {
    text = fs.readText(path);
  } catch (error) {
    const message = `Cannot read the params file ${path} (${describeError(error)}).`;
    return {
      value: undefined,
      problems: [problemAt(path, undefined, 'error', 'missingParamsFile', message)],
      missing: true,
    };
  }
  return { ...parseParamsText(text, path), missing: false };
}

/** DVC's dotted lookup (`dpath.get` with `.`): list items are addressed by their index. */
export function getDotted(root: unknown, key: string): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const part of key.split('.')) {
    if (Array.isArray(current)) {
      const index = /^\d+$/.test(part) ? Number(part) : -1;
      if (index < 0 || index >= current.length) return { found: false, value: undefined };
      current = current[index];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, part)) {
      current = (current as Record<string, unknown>)[part];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The current values of a stage's param dependencies, shaped as dvc.lock writes them: files
 * relative to the stage's wdir (`params.yaml` first, the others alphabetical), keys as written
 * and sorted; a whole-file dependency lists every top-level key of the file.
 */
export function readStageParams(
  fs: FileSystem,
  stage: Stage,
  /** Loaded files by absolute path, shared across stages so each file is read once. */
  cache: Map<string, ParamsFileContents> = new Map(),
): { values: Record<string, Record<string, unknown>>; problems: Problem[] } {
  const problems: Problem[] = [];
  const collected = new Map<string, Record<string, unknown>>();
  const loaded = cache;
  for (const dependency of stage.params) {
    const path = join(stage.wdir, dependency.file);
    let file = loaded.get(path);
    if (!file) {
      file = loadParamsFile(fs, path);
      loaded.set(path, file);
    }
    for (const problem of file.problems) {
      const isMissing = problem.code === 'missingParamsFile';
      // A missing file is reported where the stage names it, a syntax error where it is.
      const message = `The params file '${dependency.file}' (relative to the stage's wdir) does not exist; create it or fix the path.`;
      problems.push(isMissing ? { ...problem, file: stage.pipelineFile, ...dependency.position, message } : problem);
    }
    if (!file.value) continue;
    const values = collected.get(dependency.file) ?? {};
    collected.set(dependency.file, values);
    const keys = dependency.keys === 'all' ? Object.keys(file.value) : dependency.keys;
    for (const [index, key] of keys.entries()) {
      const { found, value } = getDotted(file.value, key);
      if (found) {
        values[key] = value;
        continue;
      }
      const position =
        (dependency.keys === 'all' ? undefined : dependency.keyPositions?.[index]) ?? dependency.position;
      const message = `The param '${key}' is not in ${dependency.file}; add it there or remove it from the stage's params.`;
      problems.push(problemAt(stage.pipelineFile, position, 'error', 'missingParam', message));
    }
  }
  const files = [...collected.keys()].sort((a, b) =>
    a === 'params.yaml' ? -1 : b === 'params.yaml' ? 1 : compareCodePoints(a, b),
  );
  const result: Record<string, Record<string, unknown>> = {};
  for (const file of files) {
    const values = collected.get(file)!;
    result[file] = Object.fromEntries(
      Object.keys(values)
        .sort(compareCodePoints)
        .map((key) => [key, values[key]]),
    );
  }
  return { values: result, problems };
}
