import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUNS_FOLDER } from '../../engine/scheduler/runPipeline';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import {
  REGISTRY_FOLDER,
  REGISTRY_REF_PREFIX,
  RUN_REF_PREFIX,
  isShareableRunId,
  planPush,
} from '../../engine/sharing/planSharing';
import { type FolderCommits, openFolderCommits } from '../../node/git/gitRunRefs';
import { isOwnerAlive } from '../../node/runStore/isOwnerAlive';
import { simpleGit } from 'simple-git';
import { parseCommandArgs } from '../argv';
import { type CliCommand, type CliContext, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { terminalText } from '../terminalText';

const usage = `Usage: mlc push [--remote NAME]

Shares the finished run records of .mlc/runs/ with the git remote (default origin): each run
becomes the ref refs/mlc/runs/<id>, a commit whose tree is the run folder. Refs are only created,
never moved, and the same folder gives the same commit in every clone, so pushing twice does
nothing and two people pushing their runs never conflict. Branches and the index are not touched.
Runs still queued or running are left for a later push. The model registry (.mlc/registry/), when
there is one, goes as a snapshot named by its content (refs/mlc/registry/<tree>). Teammates get
both with mlc pull.

Exit: 0 pushed (or nothing to push), 1 a run differs from the remote's copy of the same id (the
remote's is kept), 2 not a git repository, unknown remote or bad usage.`;

export const command: CliCommand = {
  summary: 'Share finished run records through git refs on the remote',
  usage,
  async run(args, context) {
    const { values } = parseCommandArgs(args, { remote: { type: 'string' } }, { allowPositionals: false });
    const { remote, commits } = await openSharing(context, values.remote);
    const local = new Map<string, string>();
    for (const id of await finishedRunIds(context)) {
      const tree = await commits.treeOf(join(workspaceRoot(context), RUNS_FOLDER, id));
      local.set(id, await commits.commitOf(tree, `mlc run ${id}`));
    }
    const remoteCommits = idsOf(await commits.remoteRefs(remote, RUN_REF_PREFIX));
    const plan = planPush(local, remoteCommits);
    await commits.push(
      remote,
      plan.push.map((id) => ({ commit: local.get(id)!, ref: `${RUN_REF_PREFIX}${id}` })),
    );
    for (const id of plan.differing)
      context.logger.warn(
        `run ${terminalText(id)} differs from ${terminalText(remote)}'s copy; theirs is kept, yours is not pushed.`,
      );
    const registryPushed = await pushRegistry(context, remote, commits);
    context.print(
      `Pushed ${plan.push.length} run${plan.push.length === 1 ? '' : 's'} to ${terminalText(remote)}; ${plan.present.length} already there.${registryPushed ? ' Pushed the model registry.' : ''}`,
    );
    return plan.differing.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

/** Pushes the registry folder's snapshot when the remote lacks it; true when it pushed one. */
async function pushRegistry(context: CliContext, remote: string, commits: FolderCommits): Promise<boolean> {
  const folder = join(workspaceRoot(context), REGISTRY_FOLDER);
  if (!existsSync(folder)) return false;
  const tree = await commits.treeOf(folder);
  const ref = `${REGISTRY_REF_PREFIX}${tree}`;
  if ((await commits.remoteRefs(remote, ref)).has(ref)) return false;
  await commits.push(remote, [{ commit: await commits.commitOf(tree, 'mlc registry'), ref }]);
  return true;
}

/** The repository's plumbing and a remote that exists, or a UsageError saying which is missing. */
export async function openSharing(
  context: CliContext,
  remoteOption: string | undefined,
): Promise<{ remote: string; commits: FolderCommits }> {
  const commits = await openFolderCommits(workspaceRoot(context));
  if (!commits)
    throw new UsageError(`${workspaceRoot(context)} is not in a git repository; runs are shared through a git remote.`);
  const remote = remoteOption ?? 'origin';
  const remotes = (await simpleGit({ baseDir: workspaceRoot(context) }).getRemotes()).map((entry) => entry.name);
  if (!remotes.includes(remote))
    throw new UsageError(`no git remote '${remote}' (remotes: ${remotes.join(', ') || 'none'}); use --remote NAME.`);
  return { remote, commits };
}

/** ref -> commit/tree under RUN_REF_PREFIX -> run id -> commit/tree, shareable ids only. */
export function idsOf(refs: ReadonlyMap<string, string>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [ref, id] of refs) {
    const runId = ref.slice(RUN_REF_PREFIX.length);
    if (ref.startsWith(RUN_REF_PREFIX) && isShareableRunId(runId)) ids.set(runId, id);
  }
  return ids;
}

/** Run folders whose run.json says the run ended (a live run's files still change). */
async function finishedRunIds(context: CliContext): Promise<string[]> {
  const runsFolder = join(workspaceRoot(context), RUNS_FOLDER);
  if (!existsSync(runsFolder)) return [];
  const ids: string[] = [];
  for (const entry of readdirSync(runsFolder, { withFileTypes: true })) {
    if (!entry.isDirectory() || !isShareableRunId(entry.name)) continue;
    const record = readRunRecord(context.fs, join(runsFolder, entry.name), isOwnerAlive).value;
    if (!record) continue;
    if (record.status === 'queued' || record.status === 'running') {
      context.logger.info(`run ${entry.name} is still ${record.status}; push it when it has ended.`);
      continue;
    }
    ids.push(entry.name);
  }
  return ids.sort();
}
