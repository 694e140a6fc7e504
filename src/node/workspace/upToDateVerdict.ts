import { readFileSync } from 'node:fs';
import { join } from 'pathe';
import type { FileSystem } from '../../engine/ports';
import { statCanVouch } from '../../engine/racyWindow';
import { writeFileAtomicSync } from '../nodeFileSystem';
import { changeFingerprint } from '../statWithoutStats';
import { WORKSPACE_LOCK_FILE } from '../runStore/createWorkspaceLock';
import { factHolds, type Fact } from './workspaceFacts';

/**
 * Where the last "nothing to do" answer of `mlc run` is kept, relative to the workspace root.
 *
 * An up-to-date run of 1,000 stages spends most of its time rebuilding what it already knew: the
 * parsed pipelines, the graph, every stage's reasons. When the last run with the same question
 * found nothing to do, and every file that answer read is untouched since (the same inode, size,
 * mtime and ctime, as git's index trusts a stat), the answer is the same: this file keeps it,
 * with the fingerprint of every path the answer read.
 */
export const UP_TO_DATE_VERDICT_FILE = '.mlc/cache/up-to-date.json';

/** Bumped when the layout of the file changes. */
const FORMAT = 1;

interface VerdictFile {
  readonly format: number;
  /** The mlc build that answered (codeIdentity): another build may answer otherwise. */
  readonly code: string;
  /** The question: the workspace, the folder it was asked in, the targets, the output form. */
  readonly key: string;
  /** What the parsed workspace rested on (ParsedWorkspaceCache.checkedFacts). */
  readonly workspaceFacts: readonly Fact[];
  /** Every path the answer read or looked for, with its changeFingerprint then ('' = nothing there). */
  readonly paths: readonly string[];
  readonly fingerprints: readonly string[];
  /** What the command printed on stdout. */
  readonly output: string;
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
 * Keeps an answer computed through `witnessed` (from `startedMs` on) when every path it read can
 * vouch for it later: still as it was seen, and not changed within the racy window. Returns
 * whether it was kept; a read-only workspace keeps nothing and says nothing.
 */
export function keepUpToDateVerdict(
  root: string,
  answer: {
    readonly code: string | undefined;
    readonly key: string;
    readonly workspaceFacts: readonly Fact[] | undefined;
    readonly witnessed: WitnessedFileSystem;
    readonly startedMs: number;
    readonly output: string;
  },
): boolean {
  const { code, workspaceFacts, witnessed: witness } = answer;
  witness.stop();
  if (code === undefined || workspaceFacts === undefined || witness.wrote() || witness.overflowed()) return false;
  const memo = join(root, '.mlc/cache/');
  const paths: string[] = [];
  const fingerprints: string[] = [];
  for (const [path, seen] of witness.seen) {
    if (path.startsWith(memo)) continue;
    if (seen === BOTH) return false;
    const fingerprint = changeFingerprint(path);
    // Gone since it was read, or there since it was found missing: the answer may not hold.
    if ((seen === FOUND && fingerprint === undefined) || (seen === ABSENT && fingerprint !== undefined)) return false;
    // Changed so close to the answer's start that a later change may share its timestamp (racy).
    if (fingerprint !== undefined && !statCanVouch(fingerprint.newestMs, answer.startedMs)) return false;
    paths.push(path);
    fingerprints.push(fingerprint?.text ?? '');
  }
  const verdict: VerdictFile = {
    format: FORMAT,
    code,
    key: answer.key,
    workspaceFacts,
    paths,
    fingerprints,
    output: answer.output,
  };
  try {
    writeFileAtomicSync(join(root, UP_TO_DATE_VERDICT_FILE), JSON.stringify(verdict));
    return true;
  } catch {
    return false;
  }
}

/**
 * The output of the last up-to-date answer to the same question, when it still holds: no run
 * holds the workspace, the workspace parses as it did, and every path that answer read is
 * untouched. Undefined otherwise (then the question is answered in full).
 */
export function upToDateVerdict(
  fs: FileSystem,
  root: string,
  question: { readonly code: string | undefined; readonly key: string },
): string | undefined {
  if (question.code === undefined) return undefined;
  const verdict = readVerdictFile(join(root, UP_TO_DATE_VERDICT_FILE));
  if (!verdict || verdict.code !== question.code || verdict.key !== question.key) return undefined;
  // A held lock means a run is changing files.
  if (fs.stat(join(root, WORKSPACE_LOCK_FILE)) !== undefined) return undefined;
  const { paths, fingerprints } = verdict;
  for (let index = 0; index < paths.length; index++) {
    if ((changeFingerprint(paths[index]!)?.text ?? '') !== fingerprints[index]) return undefined;
  }
  for (const fact of verdict.workspaceFacts) if (!factHolds(fs, fact)) return undefined;
  return verdict.output;
}

const FACT_KINDS = new Set(['content', 'stat', 'listing', 'realPath', 'unusable']);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function isFact(value: unknown): value is Fact {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, path, fingerprint, answer } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !FACT_KINDS.has(kind) || typeof path !== 'string') return false;
  return kind === 'content' ? fingerprint === undefined || typeof fingerprint === 'string' : typeof answer === 'string';
}

/** The file when it is whole and of this format; anything else (missing, torn, edited) is no verdict. */
function readVerdictFile(path: string): VerdictFile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const file = parsed as Record<string, unknown>;
  const { paths, fingerprints, workspaceFacts } = file;
  const whole =
    file.format === FORMAT &&
    typeof file.code === 'string' &&
    typeof file.key === 'string' &&
    typeof file.output === 'string' &&
    isStringArray(paths) &&
    isStringArray(fingerprints) &&
    paths.length === fingerprints.length &&
    Array.isArray(workspaceFacts) &&
    workspaceFacts.every(isFact);
  return whole ? (file as unknown as VerdictFile) : undefined;
}
