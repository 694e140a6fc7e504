import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { LockFileContent, StageLockEntry } from './model';
import { serializeLockEntry, serializeLockFile } from './serializeLockEntry';

/**
 * Replaces (or appends) one stage's entry in a lock file's text, keeping every other byte: DVC
 * does the same (it updates `stages[name]` in the loaded map and dumps it again), so entries keep
 * their order, new stages go last, and a file DVC wrote stays byte-identical outside the entry.
 * Falls back to writing the whole file when the text is not DVC's block layout (a v1 file, flow
 * style, no `stages:`): those are rewritten in schema 2.0 from `current`.
 */
export function updateLockText(
  text: string | undefined,
  current: LockFileContent,
  name: string,
  entry: StageLockEntry,
): string {
  const rewrite = () => {
    const stages = new Map(current.stages);
    stages.set(name, entry);
    return serializeLockFile(stages);
  };
  if (text === undefined || text.trim() === '' || current.version !== 2) return rewrite();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (document.errors.length > 0 || !isMap(document.contents)) return rewrite();
  const stagesPair = document.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'stages');
  const stagesMap = stagesPair?.value;
  if (!isMap(stagesMap) || stagesMap.flow || stagesMap.items.length === 0) return rewrite();

  const lines = text.split('\n');
  const keyLines = stagesMap.items.map((pair) => {
    const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? -1) : -1;
    return {
      name: isScalar(pair.key) ? String(pair.key.value) : undefined,
      line: lineCounter.linePos(offset).line - 1,
    };
  });
  const first = keyLines[0]!;
  const indent = lines[first.line]!.length - lines[first.line]!.trimStart().length;
  const blockEnd = (startLine: number): number => {
    let end = startLine + 1;
    let lastContent = startLine;
    for (; end < lines.length; end++) {
      const line = lines[end]!;
      const trimmed = line.trimStart();
      if (trimmed === '') continue;
      const lineIndent = line.length - trimmed.length;
      if (lineIndent <= indent && !(trimmed.startsWith('#') && lineIndent > 0)) break;
      lastContent = end;
    }
    return lastContent + 1;
  };
  const replacement = serializeLockEntry(name, entry, indent);
  const existing = keyLines.find((key) => key.name === name);
  const insertAt = existing ? existing.line : blockEnd(keyLines[keyLines.length - 1]!.line);
  const removeCount = existing ? blockEnd(existing.line) - existing.line : 0;
  lines.splice(insertAt, removeCount, ...replacement);
  return lines.join('\n');
}
