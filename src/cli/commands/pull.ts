import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RUNS_FOLDER } from '../../engine/scheduler/runPipeline';
import { RUN_REF_PREFIX, planPull } from '../../engine/sharing/planSharing';
import { parseCommandArgs } from '../argv';
import { type CliCommand, ExitCode } from '../cliContext';
import { terminalText } from '../terminalText';
import { idsOf, openSharing } from './push';

const usage = `Usage: mlc pull [--remote NAME]

Fetches the run records shared with mlc push (refs/mlc/runs/* on the git remote, default origin)
and writes each run missing here into .mlc/runs/<id>/, whole or not at all (written beside, then
renamed). A run folder that exists is never replaced: when its content differs from the remote's,
it is reported and kept. Branches, the index and the work tree outside .mlc/runs are not touched.

Exit: 0 pulled (or nothing new), 1 a local run differs from the remote's copy (kept), 2 not a git
repository, unknown remote or bad usage.`;

export const command: CliCommand = {
  summary: "Fetch teammates' run records shared with mlc push",
  usage,
  async run(args, context) {
    const { values } = parseCommandArgs(args, { remote: { type: 'string' } }, { allowPositionals: false });
    const { remote, commits } = await openSharing(context, values.remote);
    const remoteTrees = idsOf(await commits.fetch(remote, RUN_REF_PREFIX));
    const runsFolder = join(context.cwd, RUNS_FOLDER);
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
    context.print(
      `Pulled ${plan.materialise.length} run${plan.materialise.length === 1 ? '' : 's'} from ${terminalText(remote)}; ${plan.present.length} already here.`,
    );
    return plan.differing.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};
