/**
 * Stars, notes and tags people put on runs, of any source. They live in mlc's own folder
 * (`.mlc/annotations.json`, keyed by run id), never inside another tool's files, and the file is
 * rewritten atomically. A file mlc cannot read is reported and never overwritten, so a hand edit
 * gone wrong loses nothing.
 */
import { join } from 'pathe';
import type { FileSystem } from '../ports';
import { type Parsed, type Problem, problemAt } from '../problems';
import { describeError } from '../engineError';

export const RUN_ANNOTATIONS_FILE = '.mlc/annotations.json';
const SCHEMA = 1;
const MAX_NOTE = 10_000;
const MAX_TAGS = 50;

export interface RunAnnotation {
  readonly starred: boolean;
  readonly note: string;
  readonly tags: readonly string[];
}

export const EMPTY_ANNOTATION: RunAnnotation = { starred: false, note: '', tags: [] };

function readAnnotation(value: unknown): RunAnnotation | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  return {
    starred: record.starred === true,
    note: typeof record.note === 'string' ? record.note : '',
    tags: Array.isArray(record.tags) ? record.tags.filter((tag): tag is string => typeof tag === 'string') : [],
  };
}

/** Every run's annotation by id; a missing file is simply empty. Never throws. */
export function readRunAnnotations(fs: FileSystem, workspaceRoot: string): Parsed<Map<string, RunAnnotation>> {
  const path = join(workspaceRoot, RUN_ANNOTATIONS_FILE);
  const annotations = new Map<string, RunAnnotation>();
  if (!fs.stat(path)) return { value: annotations, problems: [] };
  const unreadable = (reason: string): Parsed<Map<string, RunAnnotation>> => ({
    value: annotations,
    problems: [
      problemAt(
        path,
        undefined,
        'error',
        'annotationsUnreadable',
        `${path} ${reason}; stars, notes and tags are not shown and will not be saved until it is fixed or removed.`,
      ),
    ],
  });
  let document: unknown;
  try {
    document = JSON.parse(fs.readText(path));
  } catch (error) {
    return unreadable(`is not valid JSON (${describeError(error)})`);
  }
  const runs = (document as { runs?: unknown } | null)?.runs;
  if (typeof runs !== 'object' || runs === null || Array.isArray(runs)) return unreadable('has no "runs" object');
  for (const [runId, value] of Object.entries(runs)) {
    const annotation = readAnnotation(value);
    if (annotation) annotations.set(runId, annotation);
  }
  return { value: annotations, problems: [] };
}

/** Trims a note and tags to what the file keeps: tags unique, non-empty, at most 50. */
export function normaliseAnnotation(annotation: RunAnnotation): RunAnnotation {
  const tags = [...new Set(annotation.tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))].slice(0, MAX_TAGS);
  return { starred: annotation.starred, note: annotation.note.slice(0, MAX_NOTE), tags };
}

/**
 * Changes one run's annotation and rewrites the file atomically; an annotation back to empty is
 * dropped from the file. Refuses (with the problem) when the existing file cannot be read.
 */
export function updateRunAnnotation(
  fs: FileSystem,
  workspaceRoot: string,
  runId: string,
  change: Partial<RunAnnotation>,
): Parsed<RunAnnotation | undefined> {
  const current = readRunAnnotations(fs, workspaceRoot);
  if (current.problems.length > 0) return { value: undefined, problems: current.problems };
  const annotations = current.value;
  const next = normaliseAnnotation({ ...(annotations.get(runId) ?? EMPTY_ANNOTATION), ...change });
  const isEmpty = !next.starred && next.note === '' && next.tags.length === 0;
  if (isEmpty) annotations.delete(runId);
  else annotations.set(runId, next);
  const runs = Object.fromEntries(
    [...annotations].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)),
  );
  const path = join(workspaceRoot, RUN_ANNOTATIONS_FILE);
  try {
    fs.writeFileAtomic(path, `${JSON.stringify({ schema: SCHEMA, runs }, null, 2)}\n`);
  } catch (error) {
    const problem: Problem = problemAt(
      path,
      undefined,
      'error',
      'annotationsUnwritable',
      `${path} could not be written (${describeError(error)}).`,
    );
    return { value: undefined, problems: [problem] };
  }
  return { value: next, problems: [] };
}
