/**
 * What "Rerun (same params)" has to change before it runs: mlc runs only with the params files
 * of the workspace (there is no `--set` override, by design: a run's params are what its lock
 * entry hashes, read from the files), so rerunning a run with the params it recorded means writing
 * those values back into the files first. This plans that edit: for every param the run recorded
 * (flattened with dots, as run.json holds them) it finds the params file and the path holding it
 * now, and when the value differs, the new text of that file. YAML files are edited through the
 * `yaml` library's document, so comments, order and the untouched values stay as they are; JSON
 * and TOML files by replacing the characters of each changed value in place (paramValueSpans.ts),
 * kept only when the new text reads back with exactly the intended values. `.py` params files are
 * never rewritten, their differences are listed as not restorable: they are Python code, where a
 * value can be computed, imported or used elsewhere in the module, so editing one is not mlc's call.
 * Nothing is written here: the front end shows the changes and writes only after the user agrees.
 */
import { join } from 'pathe';
import { parseDocument } from 'yaml';
import type { Stage } from '../pipeline/model';
import type { FileSystem } from '../ports';
import type { ParamValue } from '../runs/model';
import { paramsFormatOf, parseParamsText } from './parseParamsText';
import { jsonValueSpans, spanKey, tomlValueSpans, type ValueSpans } from './paramValueSpans';
import { unboxPythonFloats } from './formatPythonValue';
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
      if (paramsFormatOf(file) === 'python') {
        notRestorable.push({ key, reason: `${file} is Python code, which mlc does not rewrite` });
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
    const after = paramsFormatOf(file) === 'yaml' ? editYaml(before, changes) : editInPlace(file, before, changes);
    if (after === undefined) {
      const reason = `mlc could not change its value in ${file} in place (an inline table, an array of tables or a value it cannot write there)`;
      for (const { key } of changes) notRestorable.push({ key, reason });
      continue;
    }
    edits.push({
      file,
      before,
      after,
      changes: changes.map(({ key, current, recorded: value }) => ({ key, current, recorded: value })),
    });
  }
  return { edits, notRestorable };
}

interface PlannedChange {
  readonly key: string;
  readonly path: readonly string[];
  /** The value to write: the recorded one, a list parsed back from its recorded JSON text. */
  readonly leaf: unknown;
}

function editYaml(before: string, changes: readonly PlannedChange[]): string {
  const document = parseDocument(before);
  for (const change of changes) document.setIn([...change.path], change.leaf);
  return document.toString();
}

/**
 * JSON and TOML: each changed value's characters replaced by the new value written in the file's
 * format, the rest of the text untouched. undefined when a value was not located or cannot be
 * written (TOML has no null), or when the new text does not read back as the old values with
 * exactly these changed: then nothing of the file is changed.
 */
function editInPlace(file: string, before: string, changes: readonly PlannedChange[]): string | undefined {
  const format = paramsFormatOf(file);
  const spans: ValueSpans | undefined = format === 'json' ? jsonValueSpans(before) : tomlValueSpans(before);
  if (!spans) return undefined;
  const replacements: Array<{ readonly start: number; readonly end: number; readonly text: string }> = [];
  for (const change of changes) {
    const span = spans.get(spanKey(change.path));
    if (!span) return undefined;
    const oldToken = before.slice(span.start, span.end);
    const text = format === 'json' ? jsonText(change.leaf, oldToken) : tomlText(change.leaf, oldToken);
    if (text === undefined) return undefined;
    replacements.push({ ...span, text });
  }
  let after = before;
  for (const { start, end, text } of replacements.sort((left, right) => right.start - left.start))
    after = after.slice(0, start) + text + after.slice(end);
  return readsBackAs(file, before, after, changes) ? after : undefined;
}

/** True when `after` holds every leaf of `before`, with the changed ones at their new values. */
function readsBackAs(file: string, before: string, after: string, changes: readonly PlannedChange[]): boolean {
  const leavesOf = (text: string) => {
    const parsed = parseParamsText(text, file).value;
    return parsed && leavesByKey(unboxPythonFloats(parsed));
  };
  const old = leavesOf(before);
  const now = leavesOf(after);
  if (!old || !now || old.size !== now.size) return false;
  const changed = new Map(changes.map((change) => [change.key, change.leaf]));
  for (const [key, leaf] of old) {
    const expected = recordedForm(changed.has(key) ? changed.get(key) : leaf.value);
    const actual = now.get(key);
    if (!actual || expected === undefined) return false;
    const value = recordedForm(actual.value);
    if (value === undefined || !sameValue(value, expected)) return false;
  }
  return true;
}

/** A float stays a float: the old token tells (`1.0`, `2e-3`, `NaN`, `inf`). */
const isFloatToken = (token: string) => /[.eE]|nan|inf/i.test(token);

/** The list separator the file uses (`[1, 2]` or `[1,2]`). */
const listSeparator = (token: string) => (/,\s/.test(token) ? ', ' : ',');

function jsonText(value: unknown, oldToken: string): string | undefined {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(value) && isFloatToken(oldToken) ? `${value}.0` : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => jsonText(item, ''));
    return items.includes(undefined) ? undefined : `[${items.join(listSeparator(oldToken))}]`;
  }
  return value === null || typeof value === 'string' || typeof value === 'boolean' ? JSON.stringify(value) : undefined;
}

function tomlText(value: unknown, oldToken: string): string | undefined {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return Number.isInteger(value) && isFloatToken(oldToken) ? `${value}.0` : String(value);
  }
  // A TOML basic string takes JSON's escapes.
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => tomlText(item, ''));
    return items.includes(undefined) ? undefined : `[${items.join(listSeparator(oldToken))}]`;
  }
  // null (TOML has none) and tables.
  return undefined;
}

function parseList(text: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
