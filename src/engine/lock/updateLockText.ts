import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { LockFileContent, StageLockEntry } from './model';
import { serializeLockEntry, serializeLockFile } from './serializeLockEntry';
import { EngineError } from '../engineError';

interface StageKeys {
  /** Indentation of the stage keys under `stages:`. */
  readonly indent: number;
  readonly keys: ReadonlyArray<{ readonly name: string; readonly line: number }>;
}

/**
 * Replaces (or appends) one stage's entry in a lock file's text, keeping every other byte: DVC
 * does the same (it updates `stages[name]` in the loaded map and dumps it again), so entries keep
 * their order, new stages go last, and a file DVC wrote stays byte-identical outside the entry.
 * Falls back to writing the whole file when the text is not DVC's block layout (a v1 file, flow
 * style, no `stages:`): those are rewritten in schema 2.0 from `current`, unless that would drop
 * an entry `current` could not read (`invalidEntries`): then it throws and nothing is written.
 */
export function updateLockText(
  text: string | undefined,
  current: LockFileContent,
  name: string,
  entry: StageLockEntry,
): string {
  const invalid = current.invalidEntries ?? [];
  const rewrite = () => {
    // Rewriting from `current` would drop the entries it could not read: refuse instead.
    const lost = invalid.filter((invalidName) => invalidName !== name);
    if (lost.length > 0) {
      throw new EngineError(
        'lockFileUnwritable',
        `the lock file's layout cannot be updated in place, and rewriting it would drop the malformed entry of ${lost.map((lostName) => `'${lostName}'`).join(', ')}; fix or delete that entry.`,
      );
    }
    const stages = new Map(current.stages);
    stages.set(name, entry);
    return serializeLockFile(stages);
  };
  if (text === undefined || text.trim() === '' || current.version !== 2) return rewrite();
  const lines = text.split('\n');
  // Every entry of the file, the malformed ones too (their bytes stay as they are).
  const expected = new Set([...current.stages.keys(), ...invalid]);
  const located = scanStageKeys(lines) ?? locateWithYaml(text);
  const isConsistent =
    located !== undefined &&
    located.keys.length === expected.size &&
    located.keys.every((key) => expected.has(key.name));
  if (!located || !isConsistent || located.keys.length === 0) return rewrite();

  const { indent, keys } = located;
  const blockEnd = (startLine: number): number => {
    let lastContent = startLine;
    for (let index = startLine + 1; index < lines.length; index++) {
      const line = lines[index]!;
      const trimmed = line.trimStart();
      if (trimmed === '') continue;
      const lineIndent = line.length - trimmed.length;
      if (lineIndent <= indent && !(trimmed.startsWith('#') && lineIndent > 0)) break;
      lastContent = index;
    }
    return lastContent + 1;
  };
  const replacement = serializeLockEntry(name, entry, indent);
  const existing = keys.find((key) => key.name === name);
  const insertAt = existing ? existing.line : blockEnd(keys[keys.length - 1]!.line);
  const removeCount = existing ? blockEnd(existing.line) - existing.line : 0;
  lines.splice(insertAt, removeCount, ...replacement);
  return lines.join('\n');
}

const KEY_LINE =
  /^(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|([^\s'"#{[&*!|>%@`-][^#]*?|-[^\s#][^#]*?))\s*:(?:\s+#.*)?\s*$/;

/**
 * Finds the stage keys by their lines, as DVC lays the file out (`stages:` at column 0, one key
 * per stage at a fixed indent, each on its own line). This is linear in the file size, so a run
 * recording 1,000 stages does not re-parse a growing YAML document 1,000 times. Undefined when
 * the layout is anything else; the caller then asks the YAML parser.
 */
function scanStageKeys(lines: readonly string[]): StageKeys | undefined {
  const start = lines.findIndex((line) => /^stages:\s*(?:#.*)?$/.test(line));
  if (start < 0) return undefined;
  let indent: number | undefined;
  const keys: Array<{ name: string; line: number }> = [];
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index]!;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lineIndent = line.length - trimmed.length;
    if (lineIndent === 0) break;
    indent ??= lineIndent;
    if (lineIndent < indent) return undefined;
    if (lineIndent > indent) continue;
    const match = KEY_LINE.exec(trimmed);
    if (!match) return undefined;
    const [, single, double, plain] = match;
    const name =
      single !== undefined ? single.replaceAll("''", "'") : double !== undefined ? JSON.parse(`"${double}"`) : plain!;
    keys.push({ name, line: index });
  }
  return indent === undefined ? undefined : { indent, keys };
}

/** The general case: key positions from the YAML parser (any block layout of the stages map). */
function locateWithYaml(text: string): StageKeys | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (document.errors.length > 0 || !isMap(document.contents)) return undefined;
  const stagesPair = document.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'stages');
  const stagesMap = stagesPair?.value;
  if (!isMap(stagesMap) || stagesMap.flow || stagesMap.items.length === 0) return undefined;
  const keys = stagesMap.items.map((pair) => {
    const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? -1) : -1;
    return { name: isScalar(pair.key) ? String(pair.key.value) : '', line: lineCounter.linePos(offset).line - 1 };
  });
  const first = text.split('\n')[keys[0]!.line] ?? '';
  return { indent: first.length - first.trimStart().length, keys };
}
