import { readFileSync } from 'node:fs';
import { join } from 'pathe';
import type { FileSystem } from '../../engine/ports';
import { statCanVouch } from '../../engine/racyWindow';
import { writeFileAtomicSync } from '../nodeFileSystem';
import { ChangeDigest } from '../statWithoutStats';
import { WORKSPACE_LOCK_FILE } from '../runStore/createWorkspaceLock';
import { factHolds, type Fact } from './workspaceFacts';

/**
 * Where the kept answers are, relative to the workspace root: one per command, the last one given.
 *
 * An up-to-date run of 1,000 stages, or a status of a 20,000-file folder, spends most of its time
 * rebuilding what it already knew: the parsed pipelines, the graph, every stage's reasons, the
 * folder hashes. When the last answer to the same question is kept, and every file that answer
 * read is untouched since (the same device, inode, size, mtime and ctime, as git's index trusts a
 * stat), the answer is the same: the file keeps it, with the fingerprint of every path it read.
 */
export const KEPT_ANSWER_FILES = {
  /** `mlc run` when it found nothing to do (its only answer that runs nothing). */
  run: '.mlc/cache/up-to-date.json',
  /** `mlc status`, whatever the stages' states. */
  status: '.mlc/cache/status.json',
} as const;

export type KeptAnswerCommand = keyof typeof KEPT_ANSWER_FILES;

/** Bumped when the layout of the file changes (2: the exit code; 3: paths by folder; 4: a digest each). */
const FORMAT = 4;

interface KeptAnswerFile {
  readonly format: number;
  /** The mlc build that answered (codeIdentity): another build may answer otherwise. */
  readonly code: string;
  /** The question: the workspace, the folder it was asked in, the arguments that shape the answer. */
  readonly key: string;
  /** What the parsed workspace rested on (ParsedWorkspaceCache.checkedFacts). */
  readonly workspaceFacts: readonly Fact[];
  /**
   * Every path the answer read or looked for: the folders (each with its trailing `/`), for each
   * the names in it, and the ChangeDigest of those paths when the answer was kept; smallest
   * folders first.
   */
  readonly folders: readonly string[];
  readonly names: readonly (readonly string[])[];
  readonly digests: readonly string[];
  /** What the command printed on stdout (nothing on stderr: answers with problems are not kept). */
  readonly output: string;
  readonly exitCode: number;
}

/** A kept answer: what to print on stdout and the exit code. */
export interface KeptAnswer {
  readonly output: string;
  readonly exitCode: number;
}

/**
 * An answer that read more paths than this is not kept: checking it would cost about what answering
 * does (a data folder of a million files is stat-ed either way), and its file would be tens of MB.
 * The witness then stops noting, so its memory stays bounded too.
 */
const MAX_WITNESSED_PATHS = 100_000;

/** What a witnessed file system saw of a path: found, absent, or both (it changed meanwhile). */
const FOUND = 1;
const ABSENT = 2;
const NOT_TOLD = 3;
const BOTH = FOUND | ABSENT;

/**
 * A file system that notes every path it is asked about and whether something was there, so that
 * an answer computed through it can be kept with the fingerprints of exactly what it read.
 * Writes pass through; one outside `memoFolder` (the caches, which only save work) means the
 * answer depends on more than what was read, and nothing is kept.
 */
export interface WitnessedFileSystem {
  readonly fs: FileSystem;
  /** Stops noting: what follows (a run that runs stages) is not part of any answer kept. */
  stop(): void;
  /** Each path asked about: FOUND, ABSENT, both, or NOT_TOLD (asked in a way that does not say). */
  readonly seen: ReadonlyMap<string, number>;
  /** Whether something outside the memo folder was written while noting. */
  wrote(): boolean;
  /** Whether more paths were asked about than an answer kept may hold (MAX_WITNESSED_PATHS). */
  overflowed(): boolean;
}

export function witnessFileSystem(fs: FileSystem, memoFolder: string): WitnessedFileSystem {
  const seen = new Map<string, number>();
  let noting = true;
  let wrote = false;
  let overflowed = false;
  const memo = memoFolder.endsWith('/') ? memoFolder : `${memoFolder}/`;
  const note = (path: string, found: number) => {
    if (!noting) return;
    seen.set(path, (seen.get(path) ?? 0) | found);
    if (seen.size > MAX_WITNESSED_PATHS) {
      overflowed = true;
      noting = false;
      seen.clear();
    }
  };
  const noteWrite = (path: string) => {
    if (noting && !path.startsWith(memo)) wrote = true;
  };
  /** A read that throws found nothing usable there; the error goes on to the caller. */
  const reading = <T>(path: string, read: () => T): T => {
    let result: T;
    try {
      result = read();
    } catch (error) {
      note(path, ABSENT);
      throw error;
    }
    note(path, FOUND);
    return result;
  };
  const witnessed: FileSystem = {
    readFile: (path) => reading(path, () => fs.readFile(path)),
    readRange: (path, position, length) => reading(path, () => fs.readRange(path, position, length)),
    readText: (path) => reading(path, () => fs.readText(path)),
    stat(path) {
      const stat = fs.stat(path);
      note(path, stat === undefined ? ABSENT : FOUND);
      return stat;
    },
    unusableReason(path) {
      note(path, NOT_TOLD);
      return fs.unusableReason?.(path);
    },
    readDirectory: (path) => reading(path, () => fs.readDirectory(path)),
    realPath(path) {
      const real = fs.realPath(path);
      note(path, real === undefined ? ABSENT : FOUND);
      return real;
    },
    writeFileAtomic(path, data) {
      noteWrite(path);
      fs.writeFileAtomic(path, data);
    },
    appendFile(path, data) {
      noteWrite(path);
      fs.appendFile(path, data);
    },
    makeDirectory(path) {
      noteWrite(path);
      fs.makeDirectory(path);
    },
    remove(path) {
      noteWrite(path);
      fs.remove(path);
    },
  };
  const { writeFileAtomicAsync } = fs;
  if (writeFileAtomicAsync) {
    witnessed.writeFileAtomicAsync = (path, data) => {
      noteWrite(path);
      return writeFileAtomicAsync.call(fs, path, data);
    };
  }
  return {
    fs: witnessed,
    stop: () => {
      noting = false;
    },
    seen,
    wrote: () => wrote,
    overflowed: () => overflowed,
  };
}

/**
 * Keeps `command`'s answer computed through `witnessed` (from `startedMs` on) when every path it
 * read can vouch for it later: still as it was seen, and not changed within the racy window.
 * Returns whether it was kept; a read-only workspace keeps nothing and says nothing.
 */
export function keepAnswer(
  root: string,
  command: KeptAnswerCommand,
  answer: KeptAnswer & {
    readonly code: string | undefined;
    readonly key: string;
    readonly workspaceFacts: readonly Fact[] | undefined;
    readonly witnessed: WitnessedFileSystem;
    readonly startedMs: number;
  },
): boolean {
  const { code, workspaceFacts, witnessed: witness } = answer;
  witness.stop();
  if (code === undefined || workspaceFacts === undefined || witness.wrote() || witness.overflowed()) return false;
  const memo = join(root, '.mlc/cache/');
  // The paths grouped by folder (a 20,000-file folder's names once each, its path once), with one
  // digest of their change fingerprints per folder. Smallest folders first: the pipeline, lock and
  // params files (what changes most often) are checked before the data folders, so a kept answer
  // that no longer holds is usually found out after a few stats, not after every one.
  const namesByFolder = new Map<string, string[]>();
  for (const [path, seen] of witness.seen) {
    if (path.startsWith(memo)) continue;
    if (seen === BOTH) return false;
    // The folder with its `/`, so folder + name is the path again whatever its form.
    const cut = path.lastIndexOf('/') + 1;
    const folder = path.slice(0, cut);
    const names = namesByFolder.get(folder);
    if (names) names.push(path.slice(cut));
    else namesByFolder.set(folder, [path.slice(cut)]);
  }
  const groups = [...namesByFolder].sort((left, right) => left[1].length - right[1].length);
  const present = new Set<string>();
  const digests: string[] = [];
  for (const [folder, names] of groups) {
    const digest = new ChangeDigest();
    for (const name of names) {
      const path = folder + name;
      const seen = witness.seen.get(path)!;
      const newestMs = digest.add(path);
      // Gone since it was read, or there since it was found missing: the answer may not hold.
      if ((seen === FOUND && newestMs === undefined) || (seen === ABSENT && newestMs !== undefined)) return false;
      // Changed so close to the answer's start that a later change may share its timestamp (racy).
      if (newestMs !== undefined && !statCanVouch(newestMs, answer.startedMs)) return false;
      if (newestMs !== undefined) present.add(path);
    }
    digests.push(digest.digest());
  }
  const kept: KeptAnswerFile = {
    format: FORMAT,
    code,
    key: answer.key,
    workspaceFacts: workspaceFacts.filter((fact) => !impliedByFingerprint(fact, present)),
    folders: groups.map(([folder]) => folder),
    names: groups.map(([, names]) => names),
    digests,
    output: answer.output,
    exitCode: answer.exitCode,
  };
  try {
    writeFileAtomicSync(join(root, KEPT_ANSWER_FILES[command]), JSON.stringify(kept));
    return true;
  } catch {
    return false;
  }
}

/**
 * `command`'s last answer to the same question, when it still holds: no run holds the workspace,
 * the workspace parses as it did, and every path that answer read is untouched. Undefined
 * otherwise (then the question is answered in full).
 */
export function keptAnswer(
  fs: FileSystem,
  root: string,
  command: KeptAnswerCommand,
  question: { readonly code: string | undefined; readonly key: string },
): KeptAnswer | undefined {
  if (question.code === undefined) return undefined;
  const kept = readKeptAnswerFile(join(root, KEPT_ANSWER_FILES[command]));
  if (!kept || kept.code !== question.code || kept.key !== question.key) return undefined;
  // A held lock means a run is changing files.
  if (fs.stat(join(root, WORKSPACE_LOCK_FILE)) !== undefined) return undefined;
  const { folders, names, digests } = kept;
  for (let index = 0; index < folders.length; index++) {
    const folder = folders[index]!;
    const digest = new ChangeDigest();
    for (const name of names[index]!) digest.add(folder + name);
    if (digest.digest() !== digests[index]) return undefined;
  }
  for (const fact of kept.workspaceFacts) if (!factHolds(fs, fact)) return undefined;
  return { output: kept.output, exitCode: kept.exitCode };
}

/**
 * Whether a fact of the parse cache is already proven by a path the answer keeps the fingerprint
 * of, so the kept answer need not check it again: the same device, inode, size, mtime and ctime
 * give the same content, the same stat, and the same listing (an entry added, removed or renamed
 * changes the folder's mtime and ctime), the racy rule applied to both. Checking the 20 listing
 * facts of a 20,000-file data folder again cost a kept status a fifth of its time. A fact about
 * a path that was absent, or a real path, or an unusable one, is checked as it is.
 */
function impliedByFingerprint(fact: Fact, present: ReadonlySet<string>): boolean {
  return (fact.kind === 'content' || fact.kind === 'stat' || fact.kind === 'listing') && present.has(fact.path);
}

const FACT_KINDS = new Set(['content', 'stat', 'listing', 'realPath', 'unusable']);

const isExitCode = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255;

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function isFact(value: unknown): value is Fact {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, path, fingerprint, answer } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !FACT_KINDS.has(kind) || typeof path !== 'string') return false;
  return kind === 'content' ? fingerprint === undefined || typeof fingerprint === 'string' : typeof answer === 'string';
}

/** The file when it is whole and of this format; anything else (missing, torn, edited) is no kept answer. */
function readKeptAnswerFile(path: string): KeptAnswerFile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const file = parsed as Record<string, unknown>;
  const { folders, names, digests, workspaceFacts } = file;
  const whole =
    file.format === FORMAT &&
    typeof file.code === 'string' &&
    typeof file.key === 'string' &&
    typeof file.output === 'string' &&
    isExitCode(file.exitCode) &&
    isStringArray(folders) &&
    Array.isArray(names) &&
    names.length === folders.length &&
    isStringArray(digests) &&
    digests.length === folders.length &&
    names.every(isStringArray) &&
    Array.isArray(workspaceFacts) &&
    workspaceFacts.every(isFact);
  return whole ? (file as unknown as KeptAnswerFile) : undefined;
}
