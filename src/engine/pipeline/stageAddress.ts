import { basename, dirname, normalize, relative } from 'pathe';
import type { Stage } from './model';
import { PIPELINE_FILE_NAMES } from './pipelineFileNames';

/** In a folder with several pipeline files, the first of these owns the bare stage names. */
const primaryOrder = PIPELINE_FILE_NAMES.map((name) => name.toLowerCase());

/**
 * A stage's address, as targets are written on the command line: the bare name for the primary
 * pipeline file in the workspace root (mlc.yaml, else dvc.yaml, else MLproject), `file:name` for
 * another file in the root (`dvc.yaml:train` beside an mlc.yaml), and `sub/dir/dvc.yaml:name`
 * (DVC's style) below it. `pipelineFiles` (absolute) tells which files the root holds; without it
 * every root file counts as primary.
 */
export function stageAddress(stage: Stage, workspaceRoot: string, pipelineFiles?: Iterable<string>): string {
  return `${fileAddressPrefix(stage.pipelineFile, workspaceRoot, pipelineFiles)}${stage.name}`;
}

/** `''` for the primary root file, otherwise the file relative to the root followed by `:`. */
export function fileAddressPrefix(file: string, workspaceRoot: string, pipelineFiles?: Iterable<string>): string {
  const root = normalize(workspaceRoot);
  const folder = dirname(file);
  if (folder !== root) return `${relative(root, file)}:`;
  if (pipelineFiles === undefined) return '';
  const rootFiles = new Set<string>();
  for (const candidate of pipelineFiles)
    if (dirname(candidate) === root) rootFiles.add(basename(candidate).toLowerCase());
  const primary = primaryOrder.find((name) => rootFiles.has(name));
  const own = basename(file).toLowerCase();
  return primary === undefined || primary === own ? '' : `${basename(file)}:`;
}
