import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { RUNS_FOLDER } from '../../engine/scheduler/runPipeline';
import { REGISTRY_FOLDER, REGISTRY_REF_PREFIX, RUN_REF_PREFIX, planPull } from '../../engine/sharing/planSharing';
import type { FolderCommits } from '../../node/git/gitRunRefs';
import { parseCommandArgs } from '../argv';
import { type CliCommand, type CliContext, ExitCode, workspaceRoot } from '../cliContext';
import { terminalText } from '../terminalText';
import { idsOf, openSharing } from './push';

const usage = `Usage: mlc pull [--remote NAME]

Fetches the run records shared with mlc push (refs/mlc/runs/* on the git remote, default origin)
and writes each run missing here into .mlc/runs/<id>/, whole or not at all (written beside, then
renamed). A run folder that exists is never replaced: when its content differs from the remote's,
it is reported and kept. Registry snapshots (refs/mlc/registry/*) add the files of .mlc/registry/
that are missing here; a registry file that exists with other content is reported and kept.
Branches, the index and the work tree outside .mlc/ are not touched.

Exit: 0 pulled (or nothing new), 1 a local run or registry file differs from the remote's copy
(kept), 2 not a git repository, unknown remote or bad usage.`;

export const command: CliCommand = {
  summary: "Fetch teammates' run records shared with mlc push",
  usage,
  async run(args, context) {
    const { values } = parseCommandArgs(args, { remote: { type: 'string' } }, { allowPositionals: false });
    const { remote, commits } = await openSharing(context, values.remote);
    const remoteTrees = idsOf(await commits.fetch(remote, RUN_REF_PREFIX));
    const runsFolder = join(workspaceRoot(context), RUNS_FOLDER);
    const localTrees = new Map<string, string>();
    for (const id of remoteTrees.keys()) {
      const folder = join(runsFolder, id);
      if (existsSync(folder)) localTrees.set(id, await commits.treeOf(folder));
    }
    const plan = planPull(remoteTrees, (id) => localTrees.get(id));
    for (const id of plan.materialise) {
      // Written complete beside the final name, then renamed: a crash leaves no half run.
      const staging = join(runsFolder, `.pulling-${id}-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      try {
        await commits.checkout(remoteTrees.get(id)!, staging);
        renameSync(staging, join(runsFolder, id));
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    }
    for (const id of plan.differing)
      context.logger.warn(`run ${terminalText(id)} here differs from ${terminalText(remote)}'s copy; yours is kept.`);
    const registry = await pullRegistry(context, remote, commits);
    for (const path of registry.differing)
      context.logger.warn(
        `${terminalText(path)} here differs from a registry snapshot on ${terminalText(remote)}; yours is kept.`,
      );
    context.print(
      `Pulled ${plan.materialise.length} run${plan.materialise.length === 1 ? '' : 's'} from ${terminalText(remote)}; ${plan.present.length} already here.${registry.added > 0 ? ` Added ${registry.added} registry file${registry.added === 1 ? '' : 's'}.` : ''}`,
    );
    return plan.differing.length > 0 || registry.differing.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

/** Adds the files of every registry snapshot on the remote that are missing from .mlc/registry/. */
async function pullRegistry(
  context: CliContext,
  remote: string,
  commits: FolderCommits,
): Promise<{ added: number; differing: string[] }> {
  const snapshots = await commits.fetch(remote, REGISTRY_REF_PREFIX);
  const registry = join(workspaceRoot(context), REGISTRY_FOLDER);
  let added = 0;
  const differing = new Set<string>();
  for (const tree of new Set(snapshots.values())) {
    const staging = join(workspaceRoot(context), '.mlc', `.pulling-registry-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      await commits.checkout(tree, staging);
      for (const file of filesBelow(staging)) {
        const target = join(registry, relative(staging, file));
        mkdirSync(dirname(target), { recursive: true });
        try {
          // link fails on an existing name: a file appearing meanwhile is never replaced.
          linkSync(file, target);
          added++;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          if (!readFileSync(file).equals(readFileSync(target))) differing.add(relative(context.cwd, target));
        }
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { added, differing: [...differing].sort() };
}

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
