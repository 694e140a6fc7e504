import type { FileSystem, Logger } from '../engine/ports';
import { findWorkspaceRoot } from '../engine/workspace/findWorkspaceRoot';

/** What every CLI command gets: where it runs, how it prints, and the Node adapters. */
export interface CliContext {
  readonly cwd: string;
  readonly fs: FileSystem;
  readonly logger: Logger;
  /** Results only (stdout). */
  readonly print: (text: string) => void;
  /**
   * Messages for the person, written as they are (stderr, no level prefix): progress, a stage's
   * output, a command's own `mlc NAME: …` errors. Unlike the logger, nothing is added or escaped.
   */
  readonly printDiagnostic: (text: string) => void;
  readonly signal: AbortSignal;
}

/**
 * The workspace every command works on: the nearest folder at or above the cwd holding `.mlc`,
 * `.dvc` or `.git` (else the cwd). Pipeline discovery, stage addresses, `.mlc/` (lock, runs,
 * caches) and the run index all start there, so `mlc` agrees with itself from any sub-folder.
 */
export function workspaceRoot(context: Pick<CliContext, 'fs' | 'cwd'>): string {
  return findWorkspaceRoot(context.fs, context.cwd);
}

/**
 * Exit codes of the CLI contract (PRODUCT.md): 0 success, 1 check or stage failed, 2 bad usage or
 * input; 3 an internal error (a bug in mlc), kept apart from 2 so scripts never blame their input.
 */
export const ExitCode = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown for bad usage; main prints the message and exits 2. */
export class UsageError extends Error {}

export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], context: CliContext): Promise<ExitCode>;
  /**
   * The command winds down by itself when `context.signal` aborts (Ctrl-C, SIGTERM). Every other
   * command keeps the default signal action, which ends the process at once, even in the middle
   * of synchronous work that would never let a signal handler run. A function decides from the
   * arguments (`mlc status --watch` winds down; a one-off `mlc status` keeps the default).
   */
  readonly stopsOnSignal?: boolean | ((args: readonly string[]) => boolean);
}
