/**
 * DVC's directory manifest (the `.dir` object, FORMATS.md §1.11): the bytes whose md5 + `.dir`
 * is a directory's hash. It must match Python's `json.dumps(entries, sort_keys=True)` exactly,
 * which JSON.stringify does not (separators, \uXXXX escapes), hence this serialiser.
 */
export interface DirManifestEntry {
  /** The file's md5 (plain or dos2unix, as the directory's algorithm says). */
  readonly md5: string;
  /** Relative to the directory, parts joined with '/'. */
  readonly relpath: string;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Python `json.dumps` string literal with `ensure_ascii=True`. */
export function pythonJsonString(text: string): string {
  // Nearly every md5 and path is printable ASCII without quotes or backslashes: nothing to escape.
  if (/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(text)) return `"${text}"`;
  let output = '"';
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    const code = text.charCodeAt(index);
    const short = SHORT_ESCAPES[character];
    if (short !== undefined) output += short;
    else if (code < 0x20 || code > 0x7e) output += `\\u${code.toString(16).padStart(4, '0')}`;
    else output += character;
  }
  return `${output}"`;
}

/**
 * Python compares `str` by code point; JS `<` compares UTF-16 code units, which orders
 * astral characters (surrogates 0xD800-0xDFFF) before U+E000-U+FFFF. Compare code points.
 */
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a === b) continue;
    const aIsSurrogate = a >= 0xd800 && a <= 0xdfff;
    const bIsSurrogate = b >= 0xd800 && b <= 0xdfff;
    if (aIsSurrogate !== bIsSurrogate) return aIsSurrogate ? 1 : -1;
    return a - b;
  }
  return left.length - right.length;
}

/** Sorts by relpath (code point order) and serialises as DVC hashes it. */
export function serializeDirManifest(entries: readonly DirManifestEntry[]): string {
  // Without surrogate pairs, UTF-16 order is code point order and the native comparison is faster.
  const hasAstral = entries.some((entry) => /[\uD800-\uDFFF]/.test(entry.relpath));
  const compare = hasAstral
    ? (a: DirManifestEntry, b: DirManifestEntry) => compareCodePoints(a.relpath, b.relpath)
    : (a: DirManifestEntry, b: DirManifestEntry) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0);
  const sorted = [...entries].sort(compare);
  const parts = sorted.map(
    (entry) => `{"md5": ${pythonJsonString(entry.md5)}, "relpath": ${pythonJsonString(entry.relpath)}}`,
  );
  return `[${parts.join(', ')}]`;
}
