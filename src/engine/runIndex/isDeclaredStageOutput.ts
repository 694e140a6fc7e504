import { loadPipeline } from '../pipeline/loadPipeline';
import { absoluteStagePath } from '../pipeline/outputIndex';
import { STAGE_SCHEMA_FILE_NAMES } from '../pipeline/pipelineFileNames';
import type { FileSystem } from '../ports';

/**
 * Whether `path` is an output that a stage of a pipeline in this or an enclosing folder (up to
 * the workspace root) declares. Such a file belongs to the pipeline's own runs: mlc ingests a
 * stage's `plots:`/`metrics:` into its run record, so listing the file again as a run of a CSV
 * logger would show the same training twice, the second forever "running" once the stage stops
 * writing. Every read goes through `fs`, so the run index records the pipeline files as inputs
 * of the store and asks again when one changes.
 */
export function isDeclaredStageOutput(fs: FileSystem, workspaceRoot: string, path: string): boolean {
  // String steps instead of pathe's dirname/join: this runs for every CSV log of a first index,
  // on paths that are already normalised and absolute.
  for (let folder = parentOf(path); ; folder = parentOf(folder)) {
    for (const name of STAGE_SCHEMA_FILE_NAMES) {
      const file = folder === '/' ? `/${name}` : `${folder}/${name}`;
      if (fs.stat(file)?.kind !== 'file') continue;
      const { pipeline } = loadPipeline(fs, file);
      const declares = pipeline.stages.some((stage) =>
        stage.outs.some((output) => {
          const declared = absoluteStagePath(stage, output.path);
          return declared === path || path.startsWith(`${declared}/`);
        }),
      );
      if (declares) return true;
    }
    if (folder === workspaceRoot || folder === '/' || !folder.startsWith(workspaceRoot)) return false;
  }
}

/** The folder of a normalised absolute path; `/` is its own. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}
