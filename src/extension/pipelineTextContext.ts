/**
 * Where the cursor is in a pipeline file, read from the text alone (the YAML may be half typed,
 * so no parser is involved): inside a `${...}` template, or on an item of a stage's `params:`
 * list. Pure, so completion is unit-tested without VS Code.
 */
export type CompletionContext =
  | { readonly kind: 'template'; readonly prefix: string; readonly startColumn: number }
  | { readonly kind: 'paramKey'; readonly prefix: string; readonly startColumn: number; readonly paramsFile?: string };

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * `lines` is the document, `line` and `character` are 0-based (VS Code's Position).
 * `startColumn` (0-based) is where the replaced prefix starts.
 */
export function completionContextAt(
  lines: readonly string[],
  line: number,
  character: number,
): CompletionContext | undefined {
  const text = lines[line] ?? '';
  const before = text.slice(0, character);
  const templateStart = before.lastIndexOf('${');
  if (templateStart !== -1 && !before.slice(templateStart).includes('}')) {
    const prefix = before.slice(templateStart + 2).trimStart();
    return { kind: 'template', prefix, startColumn: character - prefix.length };
  }
  return paramKeyContext(lines, line, before);
}

function paramKeyContext(lines: readonly string[], line: number, before: string): CompletionContext | undefined {
  // An inline list: `params: [seed, tr`.
  const inline = /^\s*params:\s*\[([^\]]*)$/.exec(before);
  if (inline) {
    const prefix = /([^\s,[]*)$/.exec(inline[1] ?? '')?.[1] ?? '';
    return { kind: 'paramKey', prefix, startColumn: before.length - prefix.length };
  }
  // An item of a block list: `  - tr`.
  const item = /^\s*-\s+([^\s:#'"]*)$/.exec(before);
  if (!item) return undefined;
  const prefix = item[1] ?? '';
  // Walk up past sibling items to the parent line: `params:`, or a `- other.yaml:` entry whose
  // own parent is `params:` (keys read from another params file).
  let referenceIndent = indentOf(before);
  let paramsFile: string | undefined;
  for (let index = line - 1; index >= 0; index--) {
    const candidate = lines[index] ?? '';
    const trimmed = candidate.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = indentOf(candidate);
    if (indent > referenceIndent || (indent === referenceIndent && trimmed.startsWith('-'))) continue;
    const fileEntry = /^\s*-\s+([^\s:#]+):\s*$/.exec(candidate);
    if (fileEntry && paramsFile === undefined) {
      paramsFile = fileEntry[1];
      referenceIndent = indent;
      continue;
    }
    if (!/^\s*params:\s*$/.test(candidate)) return undefined;
    return {
      kind: 'paramKey',
      prefix,
      startColumn: before.length - prefix.length,
      ...(paramsFile === undefined ? {} : { paramsFile }),
    };
  }
  return undefined;
}

/**
 * Every key of a params tree in dotted form, parents included (`train`, `train.lr`,
 * `train.layers`): these are what `params:` lists and `${}` accept. List items are not keys.
 */
export function flattenParamKeys(tree: unknown, prefix = ''): Array<{ key: string; value: unknown }> {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return [];
  const keys: Array<{ key: string; value: unknown }> = [];
  for (const [name, value] of Object.entries(tree as Record<string, unknown>)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    keys.push({ key, value });
    keys.push(...flattenParamKeys(value, key));
  }
  return keys;
}

/**
 * The path-like token under the cursor (a dependency or output as written), with its 0-based
 * column range. Stops at YAML punctuation and quotes.
 */
export function pathTokenAt(text: string, character: number): { path: string; start: number; end: number } | undefined {
  const isPathCharacter = (char: string | undefined) => char !== undefined && /[^\s,[\]'"#]/.test(char);
  let start = character;
  while (start > 0 && isPathCharacter(text[start - 1])) start--;
  let end = character;
  while (end < text.length && isPathCharacter(text[end])) end++;
  let path = text.slice(start, end);
  // A trailing `:` belongs to a mapping key (`- data.csv:` in a params or outs entry).
  if (path.endsWith(':')) {
    path = path.slice(0, -1);
    end--;
  }
  if (path.startsWith('-') || path === '' || path.includes('${')) return undefined;
  return { path, start, end };
}
