import { relative } from 'node:path';
import { join } from 'pathe';
import { LOCK_PROBLEM_CODES } from '../../engine/lock/checkLockFiles';
import { matchTarget } from '../../engine/pipeline/findStages';
import type { StageGraph } from '../../engine/pipeline/stageGraph';
import type { DirectoryEntry, FileSystem } from '../../engine/ports';
import type { Problem } from '../../engine/problems';
import { type StageState, type StageStatus, computeStatus } from '../../engine/status/computeStatus';
import { createContentHasher } from '../../node/hashing/createContentHasher';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import { RUNS_FOLDER } from '../../engine/scheduler/runPipeline';
import type { LockHolder } from '../../engine/runStore/workspaceLock';
import { WORKSPACE_LOCK_FILE } from '../../node/runStore/createWorkspaceLock';
import { isOwnerAlive } from '../../node/runStore/isOwnerAlive';
import { RUN_FILES } from '../../engine/runStore/runRecord';
import { PARAMS_NAME, declaredStagePaths, isWithin } from '../../engine/workspace/watchedPaths';
import type { FolderTreeChange } from '../../node/workspace/watchFolderTree';
import { loadWorkspaceWithFacts } from '../../node/workspace/parsedWorkspaceCache';
import { keepAnswer, keptAnswer, witnessFileSystem } from '../../node/workspace/keptAnswer';
import { codeIdentity, type Fact } from '../../node/workspace/workspaceFacts';
import { systemClock } from '../../node/systemTime';
import { isLockFileName, isPipelineFileName } from '../../engine/pipeline/pipelineFileNames';
import { parseCommandArgs } from '../argv';
import { keptAnswerAsked, noteOutput, STATUS_OPTIONS, statusAnswerKey } from '../keptAnswers';
import { watchFrames } from '../watchFrames';
import { problemsJson, writePipelineProblems } from '../problemOutput';
import { terminalText, widestLength } from '../terminalText';
import { type CliCommand, type CliContext, ExitCode, UsageError, workspaceRoot } from '../cliContext';

const usage = `Usage: mlc status [STAGE...] [--json] [--check] [--watch]

Shows whether each stage must run, from mlc.lock / dvc.lock and the content of its deps, params
and outs now (hashes are cached by inode, size, mtime and ctime; no process is started):
  up-to-date   nothing changed since its last success
  changed      with the reasons (dep/param/out/cmd changes, upstream stages, always changed)
  never-run    no record of a success
  frozen       frozen: true, never run
  running      a running mlc run is executing it
  STAGE        only these stages and those they depend on (an address, a foreach group, a file)
  --json       print {"stages":[{"name","pipeline","state","reasons":[...]}],"problems":[...]}
               (problems as in mlc validate --json; stages is empty when a pipeline has errors)
  --check      exit 1 when a reported stage is changed or never run (for scripts and CI)
  --watch      show it again whenever a pipeline, params or lock file, a dep or out, or a run
               record changes, until Ctrl-C (exit 0); on a terminal the screen is redrawn in
               place, piped each report follows the last after a blank line, with --json one
               JSON document per line

Problems of the pipeline and lock files are printed on stderr (warnings too). Errors in a pipeline
file stop the report; the stages of a lock file that cannot be read show never-run with the reason.

Exit: 0 shown, 1 with --check when a stage must run, 2 no pipeline file, a pipeline with errors,
a lock file that cannot be read, unknown stage or bad usage.`;

export const command: CliCommand = {
  summary: 'Show which stages are up to date and why the others changed',
  usage,
  stopsOnSignal: (args) => args.includes('--watch'),
  async run(args, context) {
    const parsed = parseCommandArgs(args, STATUS_OPTIONS);
    const { values, positionals } = parsed;
    const options = { json: values.json === true, check: values.check === true, targets: positionals };
    const root = workspaceRoot(context);
    if (!values.watch) return showStatusOnce(root, options, parsed, context);
    if (values.check) throw new UsageError('--check answers once (for scripts); it does not go with --watch.');
    let declaredPaths: readonly string[] = [];
    const onGraph = (graph: StageGraph) => {
      declaredPaths = graph.stages.flatMap((stage) => {
        const paths = declaredStagePaths(stage);
        return [...paths.status, ...paths.params];
      });
    };
    return watchFrames('status', context, {
      json: options.json,
      isRelevant: (change, relativePath) => affectsStatus(change, relativePath, declaredPaths),
      draw: () => showStatus(root, { ...options, oneLineJson: true, onGraph }, context),
    });
  },
};

interface StatusOptions {
  readonly json: boolean;
  readonly check: boolean;
  readonly targets: readonly string[];
  /** --json --watch: one document per line. */
  readonly oneLineJson?: boolean;
  /** Told the stage graph once the pipeline files are read (--watch learns the declared paths). */
  readonly onGraph?: (graph: StageGraph) => void;
}

/**
 * Whether a change below the current folder can change the report: a folder that came or went,
 * a pipeline, params or lock file, a path a stage declares, or a run record (its running stages).
 * A run's logs and metrics are not: they change many times a second during a run.
 */
function affectsStatus(change: FolderTreeChange, relativePath: string, declaredPaths: readonly string[]): boolean {
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  if (change.directory || isPipelineFileName(name) || PARAMS_NAME.test(name) || isLockFileName(name)) return true;
  if (declaredPaths.some((declared) => isWithin(change.path, declared))) return true;
  return relativePath.startsWith(`${RUNS_FOLDER}/`) && name === RUN_FILES.record;
}

/**
 * One status report, given again from the kept answer when nothing it read changed since (see
 * keptAnswer.ts; dist/cli.js asks the same before loading this bundle, so it is asked here only
 * when it did not), and kept for the next time when it reported no problem and said nothing on stderr.
 */
async function showStatusOnce(
  root: string,
  options: StatusOptions,
  parsed: Parameters<typeof statusAnswerKey>[0],
  context: CliContext,
): Promise<ExitCode> {
  const answerKey = statusAnswerKey(parsed, root, context.cwd);
  if (answerKey === undefined) return (await showStatus(root, options, context)).exitCode;
  const code = codeIdentity(__filename);
  if (!keptAnswerAsked()) {
    const kept = keptAnswer(context.fs, root, 'status', { code, key: answerKey });
    if (kept !== undefined) {
      context.print(kept.output);
      return kept.exitCode as ExitCode;
    }
  }
  const startedMs = Date.now();
  const witnessed = witnessFileSystem(context.fs, join(root, '.mlc/cache'));
  const noted = noteOutput({ ...context, fs: witnessed.fs });
  const report = await showStatus(root, options, noted.context);
  if (report.workspaceFacts !== undefined && !noted.saidMore()) {
    const { exitCode, workspaceFacts } = report;
    const output = noted.stdout();
    keepAnswer(root, 'status', { code, key: answerKey, workspaceFacts, witnessed, startedMs, output, exitCode });
  }
  return report.exitCode;
}

interface StatusReport {
  readonly exitCode: ExitCode;
  /** What the report rested on, when it may be kept: it printed no problem and its parse is cached. */
  readonly workspaceFacts?: readonly Fact[] | undefined;
}

/** One status report of the workspace at `root`: results on stdout, problems on stderr. */
async function showStatus(root: string, options: StatusOptions, context: CliContext): Promise<StatusReport> {
  const jsonText = (value: unknown) => JSON.stringify(value, null, options.oneLineJson ? undefined : 2);
  const fs = withListingsRemembered(context.fs);
  const { workspace, facts } = loadWorkspaceWithFacts(fs, root, { signal: context.signal });
  if (workspace.pipelines.length === 0) {
    context.logger.error(
      `no pipeline file (mlc.yaml, dvc.yaml or MLproject) in ${workspace.root} or below it; run mlc status in the project folder.`,
    );
    return { exitCode: ExitCode.usage };
  }
  const problems = problemsJson(workspace.problems, context.cwd);
  writePipelineProblems(workspace.problems, context);
  const isError = (problem: Problem) => problem.severity === 'error';
  const lockErrors = workspace.problems.filter((problem) => isError(problem) && LOCK_PROBLEM_CODES.has(problem.code));
  if (workspace.problems.some((problem) => isError(problem) && !LOCK_PROBLEM_CODES.has(problem.code))) {
    // A pipeline with errors has no trustworthy stage list: say so rather than show a partial one.
    if (options.json) context.print(jsonText({ stages: [], problems }));
    else context.printDiagnostic('mlc status: the pipeline has errors; fix them first (mlc validate lists them).');
    return { exitCode: ExitCode.usage };
  }
  options.onGraph?.(workspace.graph);
  const addresses = options.targets.length > 0 ? resolveTargets(workspace.graph, options.targets) : undefined;
  const hasher = createContentHasher({ workspaceRoot: workspace.root, fs, logger: context.logger });
  let statuses: Map<string, StageStatus>;
  try {
    const runningStages = readRunningStages(context.fs, workspace.root);
    statuses = await computeStatus(
      workspace.graph,
      { fs: context.fs, hasher, signal: context.signal, runningStages, clock: systemClock },
      addresses,
    );
    await hasher.flush();
  } finally {
    hasher.dispose();
  }
  const relativeFiles = new Map<string, string>();
  const pipelineOf = (status: StageStatus) => {
    const file = status.stage.pipelineFile;
    let shown = relativeFiles.get(file);
    if (shown === undefined) relativeFiles.set(file, (shown = relative(context.cwd, file)));
    return shown;
  };
  if (options.json) {
    const stages = [...statuses.values()].map((status) => ({
      name: status.address,
      pipeline: pipelineOf(status),
      state: status.state,
      reasons: status.reasons,
    }));
    context.print(jsonText({ stages, problems }));
  } else {
    printHuman([...statuses.values()], pipelineOf, context);
  }
  // Stages of a lock file mlc cannot read were shown as never-run with the reason; still a failure.
  if (lockErrors.length > 0) return { exitCode: ExitCode.usage };
  const mustRun = [...statuses.values()].some((status) => status.state === 'changed' || status.state === 'never-run');
  const exitCode = options.check && mustRun ? ExitCode.failed : ExitCode.ok;
  return { exitCode, workspaceFacts: workspace.problems.length === 0 ? facts : undefined };
}

/** Entries of folder listings a status check keeps at most (~80 bytes each): memory stays bounded. */
export const REMEMBERED_LISTING_ENTRIES = 200_000;

/**
 * Folder listings kept for this one status check: pipeline discovery lists every folder of the
 * workspace, data folders included, and the hasher then walks the folder dependencies again (a
 * 100,000-file dependency folder was listed twice). Status is a snapshot, so the two may share.
 * Past REMEMBERED_LISTING_ENTRIES a listing is not kept (it is read again when asked): a
 * 1,000,000-file workspace must not hold every name it listed.
 */
export function withListingsRemembered(fs: FileSystem, entryBudget: number = REMEMBERED_LISTING_ENTRIES): FileSystem {
  const listings = new Map<string, readonly DirectoryEntry[]>();
  let remembered = 0;
  return {
    ...fs,
    readDirectory(path) {
      const known = listings.get(path);
      if (known) return known;
      const entries = fs.readDirectory(path);
      if (remembered + entries.length <= entryBudget) {
        listings.set(path, entries);
        remembered += entries.length;
      }
      return entries;
    },
  };
}

function resolveTargets(graph: StageGraph, targets: readonly string[]): string[] {
  const addresses: string[] = [];
  for (const target of targets) {
    const match = matchTarget(graph, target);
    if (match.ambiguous.length > 0) {
      throw new UsageError(
        `'${target}' names stages in several pipeline files; say which: ${match.ambiguous.join(', ')}.`,
      );
    }
    if (match.stages.length === 0) throw new UsageError(`unknown stage '${target}'; mlc dag lists the stages.`);
    for (const stage of match.stages) addresses.push(graph.address(stage));
  }
  return [...new Set(addresses)];
}

/** One block per pipeline file, one line per stage: address, state, reasons. */
function printHuman(statuses: StageStatus[], pipelineOf: (status: StageStatus) => string, context: CliContext): void {
  const byPipeline = new Map<string, StageStatus[]>();
  for (const status of statuses) {
    const pipeline = pipelineOf(status);
    const members = byPipeline.get(pipeline);
    if (members) members.push(status);
    else byPipeline.set(pipeline, [status]);
  }
  const addresses = new Map(statuses.map((status) => [status, terminalText(status.address)]));
  const width = widestLength(addresses.values());
  const lines: string[] = [];
  for (const [pipeline, members] of byPipeline) {
    lines.push(`${terminalText(pipeline)}:`);
    for (const status of members) {
      const reasons = status.reasons.length > 0 ? `  ${terminalText(status.reasons.join('; '))}` : '';
      lines.push(`  ${addresses.get(status)!.padEnd(width)}  ${status.state.padEnd(10)}${reasons}`.trimEnd());
    }
  }
  const counts = new Map<StageState, number>();
  for (const status of statuses) counts.set(status.state, (counts.get(status.state) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
  lines.push(`${statuses.length} stage${statuses.length === 1 ? '' : 's'}: ${summary || 'none'}`);
  context.print(lines.join('\n'));
}

/**
 * Stages a live `mlc run` is executing: only the run holding `.mlc/lock` can be running (one run
 * per workspace), so status reads that one record, not the whole history. readRunRecord reports
 * a run whose owner died as interrupted, so its stages are not shown as running.
 */
function readRunningStages(fs: FileSystem, root: string): Set<string> {
  const running = new Set<string>();
  let holder: Partial<LockHolder>;
  try {
    const lockPath = join(root, WORKSPACE_LOCK_FILE);
    if (!fs.stat(lockPath)) return running;
    holder = JSON.parse(fs.readText(lockPath)) as Partial<LockHolder>;
  } catch {
    return running; // being written or unreadable: nothing is known to be running
  }
  if (typeof holder.runId !== 'string' || holder.runId.includes('/')) return running;
  const record = readRunRecord(fs, join(root, RUNS_FOLDER, holder.runId), isOwnerAlive).value;
  if (record?.status !== 'running') return running;
  for (const stage of record.stages) if (stage.status === 'running') running.add(stage.address);
  return running;
}
