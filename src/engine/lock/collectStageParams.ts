import { join } from 'pathe';
import { getDotted, loadParamsTree } from '../params/readParams';
import type { Stage } from '../pipeline/model';
import type { FileSystem } from '../ports';

/** The current state of one params file a stage depends on. */
export interface StageParamsFile {
  /** As written in the stage (relative to wdir): the key dvc.lock uses. */
  readonly file: string;
  /** The file does not exist or cannot be parsed. */
  readonly missing: boolean;
  /** Whole-file tracking (`{file: null}`): compare every top-level key. */
  readonly wholeFile: boolean;
  /** The keys the stage tracks (for whole-file tracking: the file's current top-level keys). */
  readonly keys: readonly string[];
  /** Values of the keys that exist now; integral floats stay boxed (PythonFloat). */
  readonly values: Readonly<Record<string, unknown>>;
}

export type ParamsFileLoader = (path: string) => Record<string, unknown> | undefined;

/** A loader that reads each params file once (status checks share params.yaml across stages). */
export function createParamsFileLoader(fs: FileSystem): ParamsFileLoader {
  const loaded = new Map<string, Record<string, unknown> | undefined>();
  return (path) => {
    if (!loaded.has(path)) loaded.set(path, loadParamsTree(fs, path).value);
    return loaded.get(path);
  };
}

/**
 * Reads a stage's param dependencies as DVC compares them (FORMATS.md §1.4, §1.12): specific keys
 * per file, or every top-level key when the file is tracked whole anywhere in the list.
 */
export function collectStageParams(stage: Stage, load: ParamsFileLoader): StageParamsFile[] {
  const byFile = new Map<string, { wholeFile: boolean; keys: Set<string> }>();
  for (const dependency of stage.params) {
    const merged = byFile.get(dependency.file) ?? { wholeFile: false, keys: new Set<string>() };
    byFile.set(dependency.file, merged);
    if (dependency.keys === 'all') merged.wholeFile = true;
    else for (const key of dependency.keys) merged.keys.add(key);
  }
  const result: StageParamsFile[] = [];
  for (const [file, { wholeFile, keys }] of byFile) {
    const content = load(join(stage.wdir, file));
    const tracked = wholeFile ? Object.keys(content ?? {}) : [...keys];
    const values: Record<string, unknown> = {};
    for (const key of tracked) {
      const { found, value } = content ? getDotted(content, key) : { found: false, value: undefined };
      if (found) values[key] = value;
    }
    result.push({ file, missing: content === undefined, wholeFile, keys: tracked, values });
  }
  return result;
}
