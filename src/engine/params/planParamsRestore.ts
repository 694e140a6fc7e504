/**
 * What "Rerun (same params)" has to change before it runs: mlc runs only with the params files
 * of the workspace (there is no `--set` override, by design: a run's params are what its lock
 * entry hashes, read from the files), so rerunning a run with the params it recorded means writing
 * those values back into the files first. This plans that edit: for every param the run recorded
 * (flattened with dots, as run.json holds them) it finds the params file and the path holding it
 * now, and when the value differs, the new text of that file. YAML files are edited through the
 * `yaml` library's document, so comments, order and the untouched values stay as they are; other
 * formats (JSON, TOML, .py) are never rewritten: their differences are listed as not restorable.
 * Nothing is written here: the front end shows the changes and writes only after the user agrees.
 */
import { join } from 'pathe';
import { parseDocument } from 'yaml';
import type { Stage } from '../pipeline/model';
import type { FileSystem } from '../ports';
import type { ParamValue } from '../runs/model';
import { loadParamsFile } from './readParams';

export interface ParamChange {
  /** Flattened key as the run recorded it (`train.lr`). */
  readonly key: string;
  readonly current: ParamValue;
  readonly recorded: ParamValue;
}

export interface ParamsFileEdit {
  /** Absolute path of the params file. */
  readonly file: string;
  readonly before: string;
  readonly after: string;
  readonly changes: readonly ParamChange[];
}

export interface ParamsRestorePlan {
  readonly edits: readonly ParamsFileEdit[];
  /** Recorded params that cannot be put back, each with why (as a sentence to show). */
  readonly notRestorable: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

interface Leaf {
  readonly path: readonly string[];
  readonly value: unknown;
}

/** Every leaf of a params tree by its flattened key, as run records flatten them (lists are leaves). */
function leavesByKey(value: unknown, path: readonly string[] = [], into = new Map<string, Leaf>()): Map<string, Leaf> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>))
      leavesByKey(child, [...path, key], into);
  } else if (path.length > 0) {
    into.set(path.join('.'), { path, value });
  }
  return into;
}

/** A leaf as run.json records it (lists as their JSON text). */
function recordedForm(leaf: unknown): ParamValue | undefined {
  if (leaf === null || typeof leaf === 'string' || typeof leaf === 'number' || typeof leaf === 'boolean') return leaf;
  if (Array.isArray(leaf)) return JSON.stringify(leaf);
  return undefined;
}

const sameValue = (left: ParamValue, right: ParamValue) =>
  left === right ||
  (typeof left === 'number' && typeof right === 'number' && Number.isNaN(left) && Number.isNaN(right));

const isYamlFile = (file: string) => /\.ya?ml$/i.test(file);

/**
 * The edits that make the params files of `stages` hold `recorded` again. A key found in no
 * params file (removed since) is not restorable; a key in several files is restored in each.
 */
export function planParamsRestore(
  fs: FileSystem,
  stages: readonly Stage[],
  recorded: Readonly<Record<string, ParamValue>>,
): ParamsRestorePlan {
  const files = [...new Set(stages.flatMap((stage) => stage.params.map((param) => join(stage.wdir, param.file))))];
  const leaves = new Map<string, Map<string, Leaf>>();
  for (const file of files) {
    const loaded = loadParamsFile(fs, file);
    if (loaded.value) leaves.set(file, leavesByKey(loaded.value));
  }
  const changesByFile = new Map<
    string,
    Array<ParamChange & { readonly path: readonly string[]; readonly leaf: unknown }>
  >();
  const notRestorable: Array<{ key: string; reason: string }> = [];
  for (const [key, value] of Object.entries(recorded)) {
    const holders = [...leaves.entries()].filter(([, byKey]) => byKey.has(key));
    if (holders.length === 0) {
      notRestorable.push({ key, reason: 'no params file of the pipeline holds it any more' });
      continue;
    }
    for (const [file, byKey] of holders) {
      const leaf = byKey.get(key)!;
      const current = recordedForm(leaf.value);
      if (current !== undefined && sameValue(current, value)) continue;
      if (!isYamlFile(file)) {
        notRestorable.push({ key, reason: `${file} is not YAML, and mlc rewrites only YAML params files` });
        continue;
      }
      // A list was recorded as its JSON text: put the list back, not the text.
      const restored = Array.isArray(leaf.value) && typeof value === 'string' ? parseList(value) : value;
      if (restored === undefined) {
        notRestorable.push({ key, reason: `the recorded value is not a list as ${file} holds it` });
        continue;
      }
      const list = changesByFile.get(file) ?? [];
      list.push({ key, current: current ?? null, recorded: value, path: leaf.path, leaf: restored });
      changesByFile.set(file, list);
    }
  }
  const edits: ParamsFileEdit[] = [];
  for (const [file, changes] of changesByFile) {
    const before = fs.readText(file);
    const document = parseDocument(before);
    for (const change of changes) document.setIn([...change.path], change.leaf);
    edits.push({
      file,
      before,
      after: document.toString(),
      changes: changes.map(({ key, current, recorded: value }) => ({ key, current, recorded: value })),
    });
  }
  return { edits, notRestorable };
}

function parseList(text: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
