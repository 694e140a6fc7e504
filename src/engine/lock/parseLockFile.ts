import { isMap, isScalar } from 'yaml';
import { parseLockLayout, yamlToValue } from './parseLockLayout';
import { type Parsed, type Problem, problemAt } from '../problems';
import type { LockFileContent, LockedPath, StageLockEntry } from './model';

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads dvc.lock / mlc.lock: schema 2.0 and DVC 1.x's legacy layout (stage names at the top
 * level). Never throws; an empty or blank file is an empty lock. A file that cannot be read as a
 * whole (merge conflict markers, binary data, YAML errors, duplicate keys, an unknown schema)
 * gives an error problem and no entries: nothing may then be written into it. Single entries that
 * cannot be read are left out with a warning, so the stage counts as never run.
 */
export function parseLockFile(text: string, file: string): Parsed<LockFileContent> {
  const unreadable = checkLockText(text, file);
  if (unreadable) return { value: EMPTY_LOCK, problems: [unreadable] };
  const fast = parseLockLayout(text);
  return fast ? { value: fast, problems: [] } : parseLockYaml(text, file);
}

const EMPTY_LOCK: LockFileContent = { version: 2, stages: new Map() };

/** Lines git leaves in a file it could not merge (`|||||||` is the diff3 style's base marker). */
const CONFLICT_MARKER = /^(?:<{7}|\|{7}|={7}|>{7})(?:[ \t].*)?$/m;

/** What makes a text no lock file at all, before any YAML is read: a conflict, binary data. */
function checkLockText(text: string, file: string): Problem | undefined {
  const conflict = CONFLICT_MARKER.exec(text);
  if (conflict) {
    const line = lineAt(text, conflict.index);
    const message = `git merge conflict markers at line ${line}; resolve the conflict or delete the file (its stages then run again).`;
    return problemAt(file, { line, column: 1 }, 'error', 'lockFileConflict', message);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = lineAt(text, nul);
    const message = `The lock file is not a text file (a NUL byte at line ${line}); restore it from git or delete it (its stages then run again).`;
    return problemAt(file, { line, column: 1 }, 'error', 'lockFileUnreadable', message);
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

/** The general path: any YAML a person or another tool may have written. */
export function parseLockYaml(text: string, file: string): Parsed<LockFileContent> {
  const problems: Problem[] = [];
  // Duplicate keys are an error, as in DVC (ruamel refuses them): which entry is meant is unknown.
  const { value: root, errors, lineCounter, document } = yamlToValue(text, { uniqueKeys: true });
  for (const error of errors) {
    const position = lineCounter.linePos(error.pos[0]);
    const what =
      error.code === 'DUPLICATE_KEY'
        ? 'A key appears twice (often two entries of one stage after a merge); keep one.'
        : error.message.split('\n')[0];
    problems.push(
      problemAt(
        file,
        { line: position.line, column: position.col },
        'error',
        'lockFileSyntax',
        `${what} Fix the YAML or delete the lock file to rerun its stages.`,
      ),
    );
  }
  if (problems.length > 0) return { value: EMPTY_LOCK, problems };
  if (root === null || root === undefined) return { value: EMPTY_LOCK, problems };
  const keyPosition = (map: unknown, key: string) => {
    if (!isMap(map)) return undefined;
    const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    if (offset === undefined) return undefined;
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  if (!isMapping(root)) {
    const message = 'A lock file must be a map (schema, stages); delete it to rerun its stages.';
    problems.push(problemAt(file, undefined, 'error', 'lockFileSchema', message));
    return { value: EMPTY_LOCK, problems };
  }
  const isVersion2 = 'schema' in root;
  if (isVersion2 && root.schema !== '2.0') {
    const message = `Unsupported lock file schema '${String(root.schema)}'; mlc reads '2.0' and DVC 1.x lock files. Use the tool that wrote it, or delete the file to rerun its stages.`;
    problems.push(problemAt(file, keyPosition(document.contents, 'schema'), 'error', 'lockFileSchema', message));
    return { value: EMPTY_LOCK, problems };
  }
  const stagesValue = isVersion2 ? (root.stages ?? {}) : root;
  const stagesNode = isVersion2 ? document.get('stages', true) : document.contents;
  if (!isMapping(stagesValue)) {
    const message = '`stages` must be a map of stage names; fix it or delete the lock file to rerun its stages.';
    problems.push(problemAt(file, keyPosition(document.contents, 'stages'), 'error', 'lockFileSchema', message));
    return { value: EMPTY_LOCK, problems };
  }
  const stages = new Map<string, StageLockEntry>();
  const invalidEntries: string[] = [];
  for (const [name, value] of Object.entries(stagesValue)) {
    const entry = readEntry(value);
    if (entry) stages.set(name, entry);
    else {
      invalidEntries.push(name);
      const message = `The lock entry of stage '${name}' is malformed (needs cmd and path entries); it counts as never run.`;
      problems.push(problemAt(file, keyPosition(stagesNode, name), 'warning', 'lockEntryInvalid', message));
    }
  }
  const content: LockFileContent = { version: isVersion2 ? 2 : 1, stages };
  return { value: invalidEntries.length > 0 ? { ...content, invalidEntries } : content, problems };
}

function readEntry(value: unknown): StageLockEntry | undefined {
  if (!isMapping(value)) return undefined;
  const { cmd } = value;
  const isCommand = typeof cmd === 'string' || (Array.isArray(cmd) && cmd.every((part) => typeof part === 'string'));
  if (!isCommand) return undefined;
  const deps = readPaths(value.deps);
  const outs = readPaths(value.outs);
  if (!deps || !outs) return undefined;
  const params: Record<string, Record<string, unknown>> = {};
  if (value.params !== undefined && value.params !== null) {
    if (!isMapping(value.params)) return undefined;
    for (const [file, keys] of Object.entries(value.params)) params[file] = isMapping(keys) ? keys : {};
  }
  return { cmd: cmd as string | string[], deps, params, outs };
}

function readPaths(value: unknown): LockedPath[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const paths: LockedPath[] = [];
  for (const item of value) {
    if (!isMapping(item) || typeof item.path !== 'string') return undefined;
    const locked: { -readonly [K in keyof LockedPath]: LockedPath[K] } = { path: item.path };
    if (typeof item.hash === 'string') locked.hash = item.hash;
    if (typeof item.md5 === 'string') locked.md5 = item.md5;
    if (typeof item.size === 'number') locked.size = item.size;
    if (typeof item.nfiles === 'number') locked.nfiles = item.nfiles;
    if (item.isexec === true) locked.isexec = true;
    paths.push(locked);
  }
  return paths;
}
