import { discoverPipelines } from '../../engine/pipeline/discoverPipelines';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import type { Problem } from '../../engine/problems';
import { parseCommandArgs } from '../argv';
import { formatProblem, problemsJson, relativeProblem } from '../problemOutput';
import { type CliCommand, ExitCode, workspaceRoot } from '../cliContext';

const usage = `Usage: mlc validate [--json]

Checks every pipeline file (mlc.yaml, dvc.yaml, MLproject) in the current folder and below it:
YAML syntax, unknown keys, types, \${} templates, params, runners, duplicate outputs, cycles,
dependencies that nothing provides, and the lock files beside them (dvc.lock, mlc.lock: merge
conflict markers, YAML, schema, malformed entries).
  --json   print {"problems":[{"file","line","column","severity","code","message"}]}

Exit: 0 no errors (warnings allowed), 1 at least one error, 2 no pipeline file found or bad usage.`;

export const command: CliCommand = {
  summary: 'Check the pipeline files for problems',
  usage,
  async run(args, context) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { allowPositionals: false });
    const root = workspaceRoot(context);
    const files = discoverPipelines(context.fs, root, { signal: context.signal });
    if (files.length === 0) {
      context.logger.error(
        `no pipeline file (mlc.yaml, dvc.yaml or MLproject) in ${root} or below it; run mlc validate in the project folder.`,
      );
      return ExitCode.usage;
    }
    const workspace = loadWorkspace(context.fs, root, { signal: context.signal });
    const problems = workspace.problems.map((problem) => relativeProblem(problem, context.cwd));
    const errorCount = problems.filter((problem) => problem.severity === 'error').length;
    if (values.json) {
      context.print(JSON.stringify({ problems: problemsJson(workspace.problems, context.cwd) }, null, 2));
    } else {
      for (const problem of problems) context.print(formatProblem(problem));
      context.print(summary(problems, workspace.pipelines.length));
    }
    return errorCount > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

// Kept importable from here: other commands show problems the way validate does.
export { formatProblem };

function summary(problems: readonly Problem[], fileCount: number): string {
  const files = `${fileCount} pipeline file${fileCount === 1 ? '' : 's'}`;
  if (problems.length === 0) return `No problems in ${files}.`;
  const count = (severity: Problem['severity'], word: string) => {
    const total = problems.filter((problem) => problem.severity === severity).length;
    return total === 0 ? [] : [`${total} ${word}${total === 1 ? '' : 's'}`];
  };
  const parts = [...count('error', 'error'), ...count('warning', 'warning'), ...count('info', 'note')];
  return `${parts.join(', ')} in ${files}.`;
}
