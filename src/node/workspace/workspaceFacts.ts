import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { FileSystem } from '../../engine/ports';
import { changeFingerprint } from '../statWithoutStats';

/*
 * What a kept answer rests on, and how to tell that it still holds: shared by the parsed
 * workspace cache and the kept answers of `mlc run` and `mlc status` (keptAnswer.ts). A module of
 * its own, without the parsers, so a kept answer can be checked before the CLI bundle is loaded
 * (src/cli/keptAnswers.ts).
 */

/**
 * Everything a parse learned from the file system, so that a later process can tell whether the
 * same parse would give the same result without reading or parsing anything:
 * - `content`: a file whose bytes were read, fingerprinted by device, inode, size, mtime and
 *   ctime in nanoseconds. ctime cannot be set back by a program (unlike mtime with utimes), so a
 *   rewrite of the same size that restores the mtime is still seen.
 * - `stat`, `realPath`, `unusable`: the answer the port gave, compared as a whole; `listing`: the
 *   md5 of the answer's JSON.
 */
export type Fact =
  | { readonly kind: 'content'; readonly path: string; readonly fingerprint: string | undefined }
  | { readonly kind: 'stat' | 'listing' | 'realPath' | 'unusable'; readonly path: string; readonly answer: string };

export const md5Of = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');

/**
 * The identity of the running mlc: a new build may parse differently, so it starts a new cache.
 * Undefined when mlc runs from its TypeScript sources (tsx): an edit to the parser changes no
 * stat this module could see, so nothing is cached there.
 */
export function codeIdentity(file: string): string | undefined {
  if (file.endsWith('.ts')) return undefined;
  try {
    const stats = statSync(file);
    return `${file}:${stats.size}:${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Whether the file system still gives the answer a fact recorded. */
export function factHolds(fs: FileSystem, fact: Fact): boolean {
  if (fact.kind === 'content') return changeFingerprint(fact.path)?.text === fact.fingerprint;
  return answerOf(fs, fact.kind, fact.path) === fact.answer;
}

/** What the port answers for a fact of this kind, as the fact records it. */
export function answerOf(fs: FileSystem, kind: Exclude<Fact['kind'], 'content'>, path: string): string {
  try {
    if (kind === 'stat') return JSON.stringify(fs.stat(path) ?? null);
    // A listing's md5, not its text: the discovery walk lists data folders too, and a
    // 1,000,000-file workspace must not keep (or write) every name in this cache.
    if (kind === 'listing') return `md5 ${md5Of(JSON.stringify(fs.readDirectory(path)))}`;
    if (kind === 'realPath') return JSON.stringify(fs.realPath(path) ?? null);
    return JSON.stringify(fs.unusableReason?.(path) ?? null);
  } catch (error) {
    return `threw ${(error as { code?: string }).code ?? String(error)}`;
  }
}
