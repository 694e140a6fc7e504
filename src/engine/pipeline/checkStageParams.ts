import { join } from 'pathe';
import { type ParamsFileContents, readStageParams } from '../params/readParams';
import type { FileSystem } from '../ports';
import type { Problem } from '../problems';
import type { Stage } from './model';
import { absoluteStagePath, type OutputIndex } from './outputIndex';

/**
 * Checks that each stage's params files exist and hold the keys it names (`missingParamsFile`,
 * `missingParam`, `paramsFileSyntax`). A params file that a stage produces is checked only when it
 * exists: before the first run it legitimately does not.
 */
export function checkStageParams(fs: FileSystem, stages: readonly Stage[], outputs: OutputIndex): Problem[] {
  const problems: Problem[] = [];
  const cache = new Map<string, ParamsFileContents>();
  for (const stage of stages) {
    const produced = stage.params.filter((dependency) => {
      const path = absoluteStagePath(stage, dependency.file);
      return outputs.producers(path).length > 0 && fs.stat(join(stage.wdir, dependency.file)) === undefined;
    });
    const checked =
      produced.length === 0 ? stage : { ...stage, params: stage.params.filter((item) => !produced.includes(item)) };
    problems.push(...readStageParams(fs, checked, cache).problems);
  }
  return problems;
}
