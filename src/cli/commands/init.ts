import { scaffoldPipeline, writeScaffold } from '../../engine/scaffold/scaffoldPipeline';
import { parseCommandArgs } from '../argv';
import { type CliCommand, ExitCode, workspaceRoot } from '../cliContext';
import { terminalText } from '../terminalText';

const usage = `Usage: mlc init

Writes an mlc.yaml into the workspace root: one stage per Python script with a __main__ guard
(its command, the script as a dep, the params.yaml keys it names), for you to complete with the
files each stage writes (outs). In a workspace without such a script it writes a small starter
project instead (train.py, params.yaml, mlc.yaml) that runs and charts as it is. An existing
file is never overwritten; with a pipeline file already there (mlc.yaml, dvc.yaml, MLproject)
nothing is written: mlc reads it as it is.

Exit: 0 written, 1 a pipeline file exists (nothing written), 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Scaffold an mlc.yaml from the scripts of the workspace',
  usage,
  async run(args, context) {
    parseCommandArgs(args, {});
    const root = workspaceRoot(context);
    const plan = scaffoldPipeline(context.fs, root);
    if (plan.kind === 'pipelineExists') {
      context.logger.error(
        `${plan.file} exists in ${root}; nothing written (mlc reads it as it is: mlc status, mlc run).`,
      );
      return ExitCode.failed;
    }
    const written = writeScaffold(context.fs, root, plan.files);
    const from =
      plan.scripts.length > 0
        ? ` with ${plan.scripts.length} stage(s) from ${plan.scripts.map(terminalText).join(', ')}`
        : ' (a starter project: no Python script with a __main__ guard was found)';
    context.print(`Wrote ${written.map(terminalText).join(', ')}${from}. Next: mlc run, then mlc runs.`);
    return ExitCode.ok;
  },
};
