import { dirname, join, normalize, relative } from 'pathe';
import type { Pipeline } from '../pipeline/model';
import { stageAddress } from '../pipeline/stageAddress';
import type { RunRecord } from '../runStore/runRecord';

/**
 * The md5 of every out file an mlc run recorded (its stages' lock entries after they succeeded),
 * keyed by workspace-relative path: how a plot file's content can be checked to be the run's own
 * (mlc keeps no copy of outputs). Lock paths are relative to the stage's wdir, found from the
 * pipelines as they are now (the pipeline file's folder when the stage no longer exists). Folder
 * outs (`.dir` hashes) are left out: their files have no hash of their own in the record.
 */
export function recordedOutHashes(
  record: RunRecord,
  pipelines: readonly Pipeline[],
  workspaceRoot: string,
): Map<string, string> {
  const root = normalize(workspaceRoot);
  const pipelineFiles = pipelines.map((pipeline) => pipeline.file);
  const wdirByAddress = new Map<string, string>();
  for (const pipeline of pipelines)
    for (const stage of pipeline.stages) wdirByAddress.set(stageAddress(stage, root, pipelineFiles), stage.wdir);
  const hashes = new Map<string, string>();
  for (const stage of record.stages) {
    const wdir = wdirByAddress.get(stage.address) ?? join(root, dirname(stage.pipeline));
    for (const [path, hash] of Object.entries(stage.outs ?? {})) {
      if (hash.endsWith('.dir')) continue;
      hashes.set(relative(root, join(wdir, path)), hash);
    }
  }
  return hashes;
}
