import { parseLockLayout, yamlToValue } from './parseLockLayout';
import { type Parsed, type Problem, problemAt } from '../problems';
import type { LockFileContent, LockedPath, StageLockEntry } from './model';

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads dvc.lock / mlc.lock: schema 2.0 and DVC 1.x's legacy layout (stage names at the top
 * level). Never throws; an empty or blank file is an empty lock. Entries that cannot be read are
 * left out with a problem, so the stage counts as never run rather than breaking status.
 */
export function parseLockFile(text: string, file: string): Parsed<LockFileContent> {
  const fast = parseLockLayout(text);
  return fast ? { value: fast, problems: [] } : parseLockYaml(text, file);
}

/** The general path: any YAML a person or another tool may have written. */
export function parseLockYaml(text: string, file: string): Parsed<LockFileContent> {
  const problems: Problem[] = [];
  const { value: root, errors, lineCounter } = yamlToValue(text);
  for (const error of errors) {
    const position = lineCounter.linePos(error.pos[0]);
    problems.push(
      problemAt(
        file,
        { line: position.line, column: position.col },
        'error',
        'lockFileSyntax',
        `${error.message.split('\n')[0]} Fix the YAML or delete the lock file to rerun its stages.`,
      ),
    );
  }
  const empty: LockFileContent = { version: 2, stages: new Map() };
  if (problems.length > 0) return { value: empty, problems };
  if (root === null || root === undefined) return { value: empty, problems };
  if (!isMapping(root)) {
    problems.push(
      problemAt(
        file,
        undefined,
        'error',
        'lockFileSchema',
        'A lock file must be a map; delete it to rerun its stages.',
      ),
    );
    return { value: empty, problems };
  }
  const isVersion2 = 'schema' in root;
  if (isVersion2 && root.schema !== '2.0') {
    const message = `Unsupported lock file schema '${String(root.schema)}'; mlc reads '2.0' and DVC 1.x lock files.`;
    problems.push(problemAt(file, undefined, 'error', 'lockFileSchema', message));
    return { value: empty, problems };
  }
  const stagesValue = isVersion2 ? (root.stages ?? {}) : root;
  if (!isMapping(stagesValue)) {
    problems.push(problemAt(file, undefined, 'error', 'lockFileSchema', '`stages` must be a map of stage names.'));
    return { value: empty, problems };
  }
  const stages = new Map<string, StageLockEntry>();
  for (const [name, value] of Object.entries(stagesValue)) {
    const entry = readEntry(value);
    if (entry) stages.set(name, entry);
    else {
      const message = `The lock entry of stage '${name}' is malformed (needs cmd and path entries); it counts as never run.`;
      problems.push(problemAt(file, undefined, 'warning', 'lockEntryInvalid', message));
    }
  }
  return { value: { version: isVersion2 ? 2 : 1, stages }, problems };
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
