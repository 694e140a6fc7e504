import { CI_PROVIDERS, type CiProvider } from '../../engine/ci/ciWorkflow';
import { writeCiWorkflow } from '../../node/ci/writeCiWorkflow';
import { parseCommandArgs } from '../argv';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { terminalText } from '../terminalText';

const usage = `Usage: mlc ci init github|gitlab|jenkins [--branch NAME] [--force]

Writes a CI workflow for this workspace: .github/workflows/mlc.yml, .gitlab-ci.yml or Jenkinsfile.
It installs the dependencies (mlc, requirements.txt), runs the pipeline (mlc run), posts
mlc report --base <target branch> --md on the pull/merge request, runs mlc gate for every deploy
target of the pipelines and, on the deploy branch only, mlc deploy.
  --branch NAME   the branch that deploys (default main)
  --force         replace the file if it exists (without it an existing file is never touched)

Exit: 0 written, 1 the file exists (nothing written; --force replaces it), 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Write a CI workflow (GitHub Actions, GitLab CI, Jenkins) that runs, reports, gates, deploys',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      branch: { type: 'string' },
      force: { type: 'boolean' },
    });
    if (positionals[0] !== 'init' || positionals.length !== 2)
      throw new UsageError(`use mlc ci init ${CI_PROVIDERS.join('|')}.`);
    const provider = positionals[1]!;
    if (!(CI_PROVIDERS as readonly string[]).includes(provider))
      throw new UsageError(`unknown CI '${provider}'; choose ${CI_PROVIDERS.join(', ')}.`);
    const branch = values.branch ?? 'main';
    // A plain branch name only: it is written into YAML, Groovy and shell text.
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch.includes('..'))
      throw new UsageError(
        `'${branch}' is not a branch name mlc can write into a workflow (letters, digits, . _ / -).`,
      );
    const result = writeCiWorkflow(context.fs, workspaceRoot(context), provider as CiProvider, {
      branch,
      force: values.force === true,
      signal: context.signal,
    });
    if (!result.written) {
      context.logger.error(
        `${result.relativePath} exists; nothing written (mlc ci init ${provider} --force replaces it).`,
      );
      return ExitCode.failed;
    }
    const { deployTargets } = result;
    context.print(
      `Wrote ${result.relativePath}${deployTargets.length > 0 ? ` (gates and deploy for ${deployTargets.map(terminalText).join(', ')})` : ' (no deploy targets: run, report only)'}.`,
    );
    return ExitCode.ok;
  },
};
