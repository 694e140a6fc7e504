import { basename, join, normalize, relative, resolve } from 'pathe';
import type { RunnerConfig, Stage } from '../pipeline/model';
import type { RunnerPlacement } from './chooseRunner';

/**
 * What a runner on another machine needs to know about a stage besides its command line: which
 * files go there first, which come back, and where in the remote workdir it runs. Every path is
 * relative to the local workspace root, which maps onto the runner's workdir.
 */
export interface RemoteStageContext extends RunnerPlacement {
  readonly address: string;
  /** Absolute local workspace root. */
  readonly root: string;
  /** The stage's wdir relative to the root ('' for the root itself). */
  readonly wdir: string;
  /** Deps and params files, sent before the command runs (rsync sends only what changed). */
  readonly uploads: readonly string[];
  /** Outs, metrics and plots, brought back after the command succeeded. */
  readonly downloads: readonly string[];
  /** Plot files, also brought back while the command runs so its metrics chart live. */
  readonly livePlots: readonly string[];
  /** Outs that are not `persist: true`: deleted on the remote side before the command runs. */
  readonly clearOuts: readonly string[];
  /** The environment sent along: the stage's `env` and mlc's variables, never the whole local one. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * A member of a foreach/matrix group on a Slurm runner: the `members` started together share
   * one job array (`--array=0-N%throttle`, the throttle being `-j`).
   */
  readonly slurmArray?: { readonly group: string; readonly throttle: number; readonly members: number };
}

export function remoteStageContext(
  placement: RunnerPlacement,
  address: string,
  stage: Stage,
  root: string,
  env: Readonly<Record<string, string>>,
): RemoteStageContext {
  const inRoot = (path: string) => {
    const relativePath = relative(root, resolve(stage.wdir, path));
    // Outs outside the workspace are refused earlier; a dep outside it cannot be mapped to the workdir.
    return relativePath === '' || relativePath.startsWith('../') || relativePath === '..' ? [] : [relativePath];
  };
  const outs = stage.outs.flatMap((out) => inRoot(out.path));
  return {
    ...placement,
    address,
    root,
    wdir: relative(root, stage.wdir),
    uploads: [...new Set([...stage.deps.map((dep) => dep.path), ...stage.params.map((param) => param.file)])].flatMap(
      inRoot,
    ),
    downloads: outs,
    livePlots: stage.outs.filter((out) => out.kind === 'plot').flatMap((out) => inRoot(out.path)),
    clearOuts: stage.outs.filter((out) => !out.persist).flatMap((out) => inRoot(out.path)),
    env,
  };
}

/**
 * The runner's workdir as a path relative to the remote login folder, or absolute: `~/work/x` and
 * `work/x` are the same folder (rsync and `cd` from the home folder both read it so). Without a
 * `workdir`, `.mlc-remote/<workspace folder name>` in the home folder.
 */
export function remoteWorkdir(runner: RunnerConfig, root: string): string {
  const written = runner.options.workdir;
  if (written === undefined || String(written).trim() === '') return join('.mlc-remote', basename(root) || 'workspace');
  const text = String(written);
  if (text === '~') return '.';
  const path = text.startsWith('~/') ? text.slice(2) : text;
  return normalize(path);
}

/** The environment variable names a POSIX shell can `export`; others are not sent. */
export function isShellVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
