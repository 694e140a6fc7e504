import { LineCounter, parseDocument } from 'yaml';
import type { Parsed, Problem } from '../../problems';
import { problemAt } from '../../problems';

/**
 * The scalar fields of an MLflow `meta.yaml`, as text: numbers keep their digits (experiment ids
 * are 18-19 digit integers that a JS number would round), YAML null is `null`, and collections
 * (the legacy `tags: []`) are left out because no field mlc reads is one.
 */
export type MlflowMeta = Readonly<Record<string, string | null>>;

const NULL_WORDS: ReadonlySet<string> = new Set(['', '~', 'null', 'Null', 'NULL']);
const SIMPLE_KEY = /^[A-Za-z_][\w.-]*$/;
// First characters after which a plain scalar would need the full YAML grammar.
const SPECIAL_START = /^["[{&*!|>%@`#?,-]/;

/**
 * Parses a meta.yaml as MLflow writes it (PyYAML `safe_dump`: block style, one `key: value` per
 * line, sorted keys, single-quoted strings where needed). Hand-parsing those flat lines is about
 * ten times faster than a general YAML parser, which matters for 10,000 runs; anything beyond that
 * shape (double quotes, folded long lines, nested maps) goes to the `yaml` library instead.
 */
export function parseMlflowMetaYaml(
  text: string,
  file: string,
  /** What an unreadable file means to the caller, for the problem's message. */
  whenInvalid = 'the entry it describes is skipped. Fix or remove the file.',
): Parsed<MlflowMeta | undefined> {
  const fast = parseFlatLines(text);
  if (fast) {
    if (Object.keys(fast).length === 0) return { value: undefined, problems: [emptyProblem(file)] };
    return { value: fast, problems: [] };
  }
  return parseWithYamlLibrary(text, file, whenInvalid);
}

function parseFlatLines(text: string): Record<string, string | null> | undefined {
  const meta: Record<string, string | null> = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const key = line.slice(0, colon);
    if (!SIMPLE_KEY.test(key)) return undefined;
    const rest = line.slice(colon + 1);
    if (rest.length > 0 && rest[0] !== ' ') return undefined;
    const raw = rest.trim();
    if (raw === '[]' || raw === '{}') continue;
    const value = parseFlatScalar(raw);
    if (value === undefined) return undefined;
    meta[key] = value;
  }
  return meta;
}

/** One scalar: plain text, a single-quoted string, or null. Undefined means "needs full YAML". */
function parseFlatScalar(raw: string): string | null | undefined {
  if (NULL_WORDS.has(raw)) return null;
  if (raw.startsWith("'")) {
    if (raw.length < 2 || !raw.endsWith("'")) return undefined;
    const inner = raw.slice(1, -1);
    // A lone quote inside means the string continues on the next line or is malformed.
    if (inner.replaceAll("''", '').includes("'")) return undefined;
    return inner.replaceAll("''", "'");
  }
  if (SPECIAL_START.test(raw) || raw.includes(': ') || raw.includes(' #') || raw.endsWith(':')) return undefined;
  return raw;
}

function parseWithYamlLibrary(text: string, file: string, whenInvalid: string): Parsed<MlflowMeta | undefined> {
  let document;
  const lineCounter = new LineCounter();
  try {
    document = parseDocument(text, { intAsBigInt: true, uniqueKeys: false, prettyErrors: false, lineCounter });
  } catch (error) {
    return { value: undefined, problems: [invalidProblem(file, undefined, String(error), whenInvalid)] };
  }
  const firstError = document.errors[0];
  if (firstError) {
    const position = lineCounter.linePos(firstError.pos[0]);
    return { value: undefined, problems: [invalidProblem(file, position, firstError.message, whenInvalid)] };
  }
  let content: unknown;
  try {
    content = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { value: undefined, problems: [invalidProblem(file, undefined, String(error), whenInvalid)] };
  }
  if (content === null || content === undefined) return { value: undefined, problems: [emptyProblem(file)] };
  if (typeof content !== 'object' || Array.isArray(content)) {
    return {
      value: undefined,
      problems: [invalidProblem(file, undefined, 'the file is not a mapping of keys', whenInvalid)],
    };
  }
  const meta: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(content as Record<string, unknown>)) {
    if (value === null || value === undefined) meta[key] = null;
    else if (typeof value === 'string') meta[key] = value;
    else if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') {
      meta[key] = String(value);
    }
  }
  return { value: meta, problems: [] };
}

function invalidProblem(
  file: string,
  position: { line: number; col: number } | undefined,
  detail: string,
  whenInvalid: string,
): Problem {
  return problemAt(
    file,
    position ? { line: position.line, column: position.col } : undefined,
    'warning',
    'mlflowMetaInvalid',
    `MLflow meta.yaml could not be read (${detail}); ${whenInvalid}`,
  );
}

function emptyProblem(file: string): Problem {
  return problemAt(
    file,
    undefined,
    'warning',
    'mlflowMetaEmpty',
    'MLflow meta.yaml is empty (MLflow may be writing it); the entry is skipped until the next refresh.',
  );
}

/** A millisecond time from a meta field; undefined when absent, null or not a number. */
export function metaTime(meta: MlflowMeta, key: string): number | undefined {
  const raw = meta[key];
  if (raw === null || raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
