import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ciWorkflow, type CiProvider } from '../../engine/ci/ciWorkflow';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import type { FileSystem } from '../../engine/ports';
import { writeFileAtomicSync } from '../nodeFileSystem';

export interface CiWorkflowWrite {
  /** Workspace-relative path (`.github/workflows/mlc.yml`) and absolute path of the file. */
  readonly relativePath: string;
  readonly path: string;
  /** False when the file existed and `force` was not given: nothing was written. */
  readonly written: boolean;
  /** The deploy targets the workflow gates and deploys. */
  readonly deployTargets: readonly string[];
}

/**
 * What `mlc ci init` and the command ML: Generate CI Workflow… both do: the workflow of
 * `provider` for the deploy targets of the workspace's pipelines, written at its path. Without
 * `force` an existing file is never touched.
 */
export function writeCiWorkflow(
  fs: FileSystem,
  root: string,
  provider: CiProvider,
  options: { readonly branch: string; readonly force: boolean; readonly signal?: AbortSignal },
): CiWorkflowWrite {
  const workspace = loadWorkspace(fs, root, options.signal ? { signal: options.signal } : {});
  const deployTargets = [
    ...new Set(workspace.pipelines.flatMap((pipeline) => pipeline.deploy.map((target) => target.name))),
  ];
  const workflow = ciWorkflow(provider, { deployTargets, branch: options.branch });
  const path = join(root, workflow.path);
  mkdirSync(dirname(path), { recursive: true });
  let written = true;
  if (options.force) writeFileAtomicSync(path, workflow.text);
  else written = createExclusively(path, workflow.text);
  return { relativePath: workflow.path, path, written, deployTargets };
}

/**
 * Writes `text` at `path` only if nothing is there, atomically: the complete file is written
 * beside it, then hard-linked into place (link fails on an existing name, unlike rename).
 * False when `path` exists.
 */
function createExclusively(path: string, text: string): boolean {
  const temp = `${path}.mlc-${process.pid}.tmp`;
  writeFileAtomicSync(temp, text);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}
