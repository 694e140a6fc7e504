import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { join, normalize } from 'pathe';
import { lockFilePathFor } from '../../engine/lock/model';
import { readLockFile, rememberParsedLockFile, type ReadLock } from '../../engine/lock/readLockFile';
import { parsePipelineFile } from '../../engine/pipeline/loadPipeline';
import {
  checkPipelines,
  loadWorkspace,
  workspaceFrom,
  type CheckedPipelines,
  type LoadWorkspaceOptions,
  type Workspace,
} from '../../engine/pipeline/loadWorkspace';
import type { FileSystem } from '../../engine/ports';
import { statCanVouch } from '../../engine/racyWindow';
import { writeFileAtomicSync } from '../nodeFileSystem';
import { systemClock } from '../systemTime';
import { changeFingerprint } from '../statWithoutStats';
import { answerOf, codeIdentity, factHolds, type Fact, md5Of } from './workspaceFacts';

/**
 * Where parsed pipeline and lock files are kept between CLI processes, relative to the workspace
 * root.
 */
export const PARSED_WORKSPACE_CACHE_FILE = '.mlc/cache/workspace.v8';

/** Bumped when the layout of the cache file changes. */
const FORMAT = 2;

type ParsedPipelineFile = ReturnType<typeof parsePipelineFile>;

interface Entry {
  readonly facts: readonly Fact[];
  /** The parse's result, v8-serialized when it was made: callers get a copy of their own. */
  readonly result: Uint8Array;
}

/**
 * A lock file's parse is a function of its text alone, so it is validated by the text itself:
 * reading 400 KB and its md5 cost a millisecond, parsing it a hundred. No timestamp is trusted.
 */
interface LockEntry {
  readonly textMd5: string;
  /** The ReadLock['parsed'] of that text, v8-serialized. */
  readonly parsed: Uint8Array;
}

/**
 * checkPipelines' whole result (the parsed pipelines, the graph's data and the problems of the
 * checks across files), reused while every fact the parses and the checks depended on holds: an
 * up-to-date run or a status then builds no graph and resolves no path of its own.
 */
interface CheckedEntry {
  /** The workspace root and the options it was computed with (checkedKey). */
  readonly key: string;
  readonly facts: readonly Fact[];
  /** The pipeline files it parsed (their entries are kept with it). */
  readonly files: readonly string[];
  /** The CheckedPipelines, v8-serialized. */
  readonly result: Uint8Array;
}

interface CacheFile {
  readonly format: number;
  readonly code: string;
  readonly pipelines: ReadonlyArray<readonly [string, Entry]>;
  readonly locks: ReadonlyArray<readonly [string, LockEntry]>;
  readonly checked: CheckedEntry | undefined;
}

export interface ParsedWorkspaceCache {
  /** parsePipelineFile's contract, answered from the cache when every fact still holds. */
  parse(fs: FileSystem, file: string): ParsedPipelineFile;
  /** checkPipelines' contract, answered from the cache when every fact its parses and checks depended on still holds. */
  checkPipelines(fs: FileSystem, root: string, options?: LoadWorkspaceOptions): CheckedPipelines;
  /**
   * Hands readLockFile's memo (of `fs`) the stored parse of each lock file whose text on disk is
   * still the text that was parsed; call before anything reads a lock file.
   */
  seedLockFiles(fs: FileSystem): void;
  /** Keeps the parses readLockFile now remembers for these lock files (read them first). */
  keepLockFiles(fs: FileSystem, paths: Iterable<string>): void;
  /** Writes the cache when it changed, keeping only what this process parsed or reused. */
  save(): void;
  /**
   * Every fact the last checkPipelines answer rests on (the walk, the parses, the params files read
   * by the checks), or undefined when that answer is not one the cache could keep (racy, written
   * during the parse, editor overrides).
   */
  checkedFacts(): readonly Fact[] | undefined;
}

function readCacheFile(path: string, code: string): Pick<CacheFile, 'pipelines' | 'locks' | 'checked'> {
  try {
    const cache = deserialize(readFileSync(path)) as CacheFile;
    if (cache.format === FORMAT && cache.code === code) return cache;
  } catch {
    // Missing, torn or from another version: the cache is only an optimisation, start empty.
  }
  return { pipelines: [], locks: [], checked: undefined };
}

/**
 * What checkPipelines' result depends on besides the file system: the root and the walk options
 * (the signal only stops it early, and a stopped walk is not kept). Undefined for unsaved editor
 * texts (overrides) or a custom parser: such a result is not kept.
 */
function checkedKey(root: string, options: LoadWorkspaceOptions): string | undefined {
  if (options.overrides !== undefined || options.parsePipeline !== undefined) return undefined;
  return JSON.stringify([root, options.skip ?? null, options.maxDepth ?? null, options.maxStages ?? null]);
}

/**
 * The parsed pipeline and lock files of a workspace persisted in `.mlc/cache/workspace.v8`, as
 * git's index is to the work tree. A pipeline file's parse is reused when every fact it depended
 * on still holds (the pipeline file's and any params file's fingerprints, the stat, listing or
 * real path answers); a lock file's when its text is byte for byte the one parsed. Any difference,
 * a racy timestamp, a write through the file system during the parse or an unreadable cache
 * means a real parse.
 */
export function openParsedWorkspaceCache(
  workspaceRoot: string,
  options: {
    /** Who parses (codeIdentity()): results of another build are not reused. */
    readonly code: string;
    /** The clock racy timestamps are judged by (tests move it). */
    readonly now?: () => number;
  },
): ParsedWorkspaceCache {
  const { code } = options;
  const now = options.now ?? Date.now;
  const cachePath = join(workspaceRoot, PARSED_WORKSPACE_CACHE_FILE);
  const file = readCacheFile(cachePath, code);
  const stored = new Map(file.pipelines);
  const storedLocks = new Map(file.locks);
  const used = new Map<string, Entry>();
  const usedLocks = new Map<string, LockEntry>();
  let usedChecked: CheckedEntry | undefined;
  let dirty = false;

  /** The parse of `file` and the facts it depends on (undefined when it is not to be kept). */
  const parseWithFacts = (fs: FileSystem, file: string) => {
    const known = stored.get(file);
    if (known && known.facts.every((fact) => factHolds(fs, fact))) {
      used.set(file, known);
      const facts: RecordedFact[] = known.facts.map((fact) => ({ fact }));
      return { result: deserialize(known.result) as ParsedPipelineFile, facts };
    }
    const startedMs = now();
    const recording = recordFacts(fs);
    const result = parsePipelineFile(recording.fs, file);
    dirty = true;
    const recorded = recording.facts();
    const facts = recorded !== undefined && !isRacy(recorded, startedMs) ? recorded : undefined;
    if (facts !== undefined) used.set(file, { facts: facts.map(({ fact }) => fact), result: serialize(result) });
    return { result, facts };
  };

  return {
    parse: (fs, file) => parseWithFacts(fs, file).result,
    checkPipelines(fs, root, options = {}) {
      const key = checkedKey(root, options);
      const known = file.checked;
      if (key !== undefined && known?.key === key && known.facts.every((fact) => factHolds(fs, fact))) {
        usedChecked = known;
        for (const parsed of known.files) {
          const entry = stored.get(parsed);
          if (entry) used.set(parsed, entry);
        }
        return deserialize(known.result) as CheckedPipelines;
      }
      const startedMs = now();
      // The checks' own reads (listings, stats, real paths, params files) are recorded here; each
      // pipeline file's parse goes through the cache with the facts it depends on.
      const recording = recordFacts(fs);
      const files: string[] = [];
      let keep = key !== undefined;
      const checked = checkPipelines(recording.fs, root, {
        ...options,
        parsePipeline: (_recordingFs, parsed) => {
          const { result, facts } = parseWithFacts(fs, parsed);
          files.push(parsed);
          if (facts === undefined) keep = false;
          else recording.note(facts);
          return result;
        },
      });
      const facts = recording.facts();
      dirty = true;
      if (keep && key !== undefined && facts !== undefined && !isRacy(facts, startedMs) && !options.signal?.aborted) {
        usedChecked = { key, facts: facts.map(({ fact }) => fact), files, result: serialize(checked) };
      }
      return checked;
    },
    seedLockFiles(fs) {
      for (const [path, entry] of storedLocks) {
        const seeded = seedLockFile(fs, path, entry, now);
        if (seeded) usedLocks.set(path, entry);
      }
    },
    keepLockFiles(fs, paths) {
      for (const path of paths) {
        const read: ReadLock = readLockFile(fs, path);
        if (read.text === undefined) continue;
        const textMd5 = md5Of(read.text);
        if (usedLocks.get(path)?.textMd5 === textMd5) continue;
        usedLocks.set(path, { textMd5, parsed: serialize(read.parsed) });
        dirty = true;
      }
    },
    checkedFacts: () => usedChecked?.facts,
    save() {
      const unchanged =
        used.size === stored.size && usedLocks.size === storedLocks.size && usedChecked === file.checked;
      if (!dirty && unchanged) return;
      try {
        const cache: CacheFile = {
          format: FORMAT,
          code,
          pipelines: [...used],
          locks: [...usedLocks],
          checked: usedChecked,
        };
        writeFileAtomicSync(cachePath, serialize(cache));
      } catch {
        // A read-only workspace: the next process parses again.
      }
    },
  };
}

/**
 * loadWorkspace for a CLI command through the workspace's persisted parse cache: pipeline and
 * lock files unchanged since a previous command are not parsed again, and when nothing the
 * cross-file checks read changed either, neither they nor the graph are computed again.
 */
export function loadWorkspaceWithParseCache(
  fs: FileSystem,
  root: string,
  options: Omit<NonNullable<Parameters<typeof loadWorkspace>[2]>, 'parsePipeline'> = {},
  code: string | undefined = codeIdentity(__filename),
): Workspace {
  return loadWorkspaceWithFacts(fs, root, options, code).workspace;
}

/**
 * loadWorkspaceWithParseCache, with the facts its answer rests on besides the lock files' texts
 * (`facts` undefined when there are none to trust: no cache, or an answer the cache could not keep).
 */
export function loadWorkspaceWithFacts(
  fs: FileSystem,
  root: string,
  options: Omit<NonNullable<Parameters<typeof loadWorkspace>[2]>, 'parsePipeline'> = {},
  code: string | undefined = codeIdentity(__filename),
): { readonly workspace: Workspace; readonly facts: readonly Fact[] | undefined } {
  const clock = options.clock ?? systemClock;
  if (code === undefined) return { workspace: loadWorkspace(fs, root, { ...options, clock }), facts: undefined };
  const cache = openParsedWorkspaceCache(normalize(root), { code, now: () => clock.now() });
  cache.seedLockFiles(fs);
  // loadWorkspace reads every lock file (checkLockFiles): they are in readLockFile's memo after it.
  const workspace = workspaceFrom(fs, cache.checkPipelines(fs, root, options), clock);
  const facts = cache.checkedFacts();
  if (workspace.pipelines.length === 0) return { workspace, facts };
  const lockPaths = workspace.pipelines.flatMap((pipeline) => lockFilePathFor({ pipelineFile: pipeline.file }) ?? []);
  cache.keepLockFiles(fs, lockPaths);
  cache.save();
  return { workspace, facts };
}

/** Seeds readLockFile's memo with a stored parse when the file's text is the one parsed. */
function seedLockFile(fs: FileSystem, path: string, entry: LockEntry, now: () => number): boolean {
  try {
    const takenAtMs = now();
    const stat = fs.stat(path);
    if (stat?.kind !== 'file') return false;
    const bytes = fs.readFile(path);
    if (md5Of(bytes) !== entry.textMd5) return false;
    const parsed = deserialize(entry.parsed) as ReadLock['parsed'];
    rememberParsedLockFile(fs, path, stat, takenAtMs, bytes, parsed);
    return true;
  } catch {
    // Unreadable or not UTF-8: readLockFile reads it and reports the problem itself.
    return false;
  }
}

/**
 * A fact plus the newest timestamp (mtime or ctime) of a file read for it (content facts only), in
 * milliseconds for the racy rule (statCanVouch): the fingerprint compared later keeps nanoseconds,
 * but a two-second window needs no more than milliseconds.
 */
interface RecordedFact {
  readonly fact: Fact;
  readonly newestMs?: number;
}

/** The facts without a repeated question with the same answer (a params file read by a parse and a check). */
function withoutRepeats(facts: readonly RecordedFact[]): RecordedFact[] {
  const seen = new Set<string>();
  return facts.filter(({ fact }) => {
    const key = `${fact.kind}\u0000${fact.path}\u0000${fact.kind === 'content' ? fact.fingerprint : fact.answer}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a file read for these facts changed within the racy window of `startedMs` (statCanVouch). */
function isRacy(facts: readonly RecordedFact[], startedMs: number): boolean {
  return facts.some((recorded) => recorded.newestMs !== undefined && !statCanVouch(recorded.newestMs, startedMs));
}

/**
 * A file system that notes what it was asked. `facts()` is undefined when the parse wrote
 * something (then its result depends on more than the disk it read, and is not kept).
 */
function recordFacts(fs: FileSystem): {
  fs: FileSystem;
  /** Adds facts learned elsewhere (a parse answered by the cache). */
  note(learned: readonly RecordedFact[]): void;
  facts(): RecordedFact[] | undefined;
} {
  const facts: RecordedFact[] = [];
  let wrote = false;
  const noteContent = (path: string) => {
    // Fingerprinted before the read: a change during the read makes the fingerprint stale (a miss).
    const fingerprint = changeFingerprint(path);
    facts.push({ fact: { kind: 'content', path, fingerprint: fingerprint?.text }, newestMs: fingerprint?.newestMs });
  };
  const noteAnswer = (kind: Exclude<Fact['kind'], 'content'>, path: string) => {
    facts.push({ fact: { kind, path, answer: answerOf(fs, kind, path) } });
  };
  const recording: FileSystem = {
    readFile(path) {
      noteContent(path);
      return fs.readFile(path);
    },
    readRange(path, position, length) {
      noteContent(path);
      return fs.readRange(path, position, length);
    },
    readText(path) {
      noteContent(path);
      return fs.readText(path);
    },
    stat(path) {
      noteAnswer('stat', path);
      return fs.stat(path);
    },
    unusableReason(path) {
      noteAnswer('unusable', path);
      return fs.unusableReason?.(path);
    },
    readDirectory(path) {
      noteAnswer('listing', path);
      return fs.readDirectory(path);
    },
    realPath(path) {
      noteAnswer('realPath', path);
      return fs.realPath(path);
    },
    writeFileAtomic(path, data) {
      wrote = true;
      fs.writeFileAtomic(path, data);
    },
    appendFile(path, data) {
      wrote = true;
      fs.appendFile(path, data);
    },
    makeDirectory(path) {
      wrote = true;
      fs.makeDirectory(path);
    },
    remove(path) {
      wrote = true;
      fs.remove(path);
    },
  };
  return {
    fs: recording,
    note: (learned) => facts.push(...learned),
    facts: () => (wrote ? undefined : withoutRepeats(facts)),
  };
}
