import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CI_PROVIDERS, type CiProvider, ciWorkflow } from '../../engine/ci/ciWorkflow';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { writeFileAtomicSync } from '../../node/nodeFileSystem';
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
    const workspace = loadWorkspace(context.fs, workspaceRoot(context), { signal: context.signal });
    const deployTargets = [
      ...new Set(workspace.pipelines.flatMap((pipeline) => pipeline.deploy.map((target) => target.name))),
    ];
    const workflow = ciWorkflow(provider as CiProvider, { deployTargets, branch });
    const path = join(workspaceRoot(context), workflow.path);
    mkdirSync(dirname(path), { recursive: true });
    if (values.force) writeFileAtomicSync(path, workflow.text);
    else if (!createExclusively(path, workflow.text)) {
      context.logger.error(`${workflow.path} exists; nothing written (mlc ci init ${provider} --force replaces it).`);
      return ExitCode.failed;
    }
    context.print(
      `Wrote ${workflow.path}${deployTargets.length > 0 ? ` (gates and deploy for ${deployTargets.map(terminalText).join(', ')})` : ' (no deploy targets: run, report only)'}.`,
    );
    return ExitCode.ok;
  },
};

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
