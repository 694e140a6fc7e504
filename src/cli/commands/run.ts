import { join, relative, resolve } from 'node:path';
import { alertsByPipeline } from '../../engine/alerts/watchRunAlerts';
import type { Workspace } from '../../engine/pipeline/loadWorkspace';
import { matchTarget } from '../../engine/pipeline/findStages';
import type { StageRunRecord } from '../../engine/runStore/runRecord';
import type { RunPlan } from '../../engine/scheduler/planRun';
import { runPipeline, runnersByPipeline, type PipelineRunOutcome } from '../../engine/scheduler/runPipeline';
import { formatDuration } from '../../protocol/formatRunValues';
import type { RunObserver } from '../../engine/scheduler/schedulerDependencies';
import { createContentHasher } from '../../node/hashing/createContentHasher';
import { createLocalRunPorts, schedulerNodesOf } from '../../node/runStore/createLocalRunPorts';
import { loadWorkspaceWithFacts } from '../../node/workspace/parsedWorkspaceCache';
import { codeIdentity } from '../../node/workspace/workspaceFacts';
import { keepAnswer, keptAnswer, witnessFileSystem } from '../../node/workspace/keptAnswer';
import { parseCommandArgs } from '../argv';
import { jobsOption, keptAnswerAsked, noteOutput, RUN_OPTIONS, runAnswerKey } from '../keptAnswers';
import { problemsJson, writePipelineProblems } from '../problemOutput';
import { terminalText } from '../terminalText';
import { createLazyLocalGitCalls } from '../../node/git/createLazyLocalGitCalls';
import { type CliCommand, type CliContext, ExitCode, UsageError, workspaceRoot } from '../cliContext';

const usage = `Usage: mlc run [STAGE...] [-j N] [--force] [--keep-going] [--dry-run] [--runner NAME]
               [--fail-on-alert] [--json]

Runs the stages that changed (and the changed stages they depend on), in dependency order.
  STAGE            a stage address (train, sub/dvc.yaml:train@cnn), a foreach group or a
                   pipeline file; default: every stage of the workspace (its root is the
                   nearest folder up holding .mlc, .dvc or .git), or, started in a
                   sub-folder, the stages of the pipeline files at or below it
  -j, --jobs N     stages run at once (default: the number of cores)
  -f, --force      run the selected stages even when up to date: the targets and every stage
                   upstream of them, frozen ones included (as dvc repro -f)
  -k, --keep-going after a failure, go on with the stages that do not depend on it
  --dry-run        print what would run and why; run nothing
  --runner NAME    run every selected stage on this runner ('local' or one declared under
                   runners: in mlc.yaml); default: each stage's runner: key, else local
  --fail-on-alert  exit 1 when an alert of mlc.yaml's alerts: fired, even if every stage
                   succeeded (alerts are printed on stderr as they fire either way)
  --json           print one JSON document at the end, always with "problems" (as in
                   mlc validate --json); a finished run adds "alerts" (those that fired, as
                   in run.json); a pipeline with errors prints {"status":"invalid",...}

Exit: 0 all succeeded or nothing to do, 1 a stage failed or the run was cancelled (or another
run holds the workspace, or an alert fired with --fail-on-alert), 2 bad usage, unknown stage, or a pipeline with errors.`;

export const command: CliCommand = {
  summary: 'Run the pipeline stages that need it',
  usage,
  stopsOnSignal: true,
  async run(args, context) {
    const parsed = parseCommandArgs(args, RUN_OPTIONS);
    const { values, positionals } = parsed;
    const jobs = jobsOption(values.jobs);
    const json = values.json === true;
    const root = workspaceRoot(context);
    // "Nothing to do" again, when every file the last such answer read is untouched (see
    // keptAnswer.ts). dist/cli.js asks the same before loading this bundle (keptAnswers.ts);
    // asked here only when it did not (the sources, a bundle started directly).
    const code = codeIdentity(__filename);
    const answerKey = runAnswerKey(parsed, root, context.cwd);
    if (answerKey !== undefined && !keptAnswerAsked()) {
      const kept = keptAnswer(context.fs, root, 'run', { code, key: answerKey });
      if (kept !== undefined) {
        context.print(kept.output);
        return ExitCode.ok;
      }
    }
    const startedMs = Date.now();
    const witnessed = answerKey === undefined ? undefined : witnessFileSystem(context.fs, join(root, '.mlc/cache'));
    const fs = witnessed?.fs ?? context.fs;
    const { workspace, facts: workspaceFacts } = loadWorkspaceWithFacts(fs, root);
    const errors = workspace.problems.filter((problem) => problem.severity === 'error');
    writePipelineProblems(workspace.problems, context);
    const problems = problemsJson(workspace.problems, context.cwd);
    if (errors.length > 0) {
      const message = `the pipeline has ${errors.length} error(s); fix them first (mlc validate lists them).`;
      if (json) context.print(JSON.stringify({ runId: null, status: 'invalid', message, problems }));
      context.printDiagnostic(`mlc run: ${message}`);
      return ExitCode.usage;
    }
    if (workspace.graph.stages.length === 0) {
      context.printDiagnostic(
        `mlc run: no pipeline stages found in ${workspace.root} (mlc.yaml, dvc.yaml or MLproject).`,
      );
      return ExitCode.usage;
    }
    const targets =
      positionals.length > 0 ? resolveTargets(workspace.graph, positionals) : stagesAtOrBelow(workspace, context.cwd);
    if (targets === undefined) {
      context.printDiagnostic(
        `mlc run: no pipeline stages in ${context.cwd} or below it (the workspace is ${workspace.root}); name a stage, or run mlc run there.`,
      );
      return ExitCode.usage;
    }
    if (values.runner !== undefined) checkRunnerName(workspace.pipelines, values.runner);
    // A warning while answering (a file the hasher could not read) is not said again by a kept answer.
    const noted = noteOutput(context);
    const hasher = createContentHasher({ workspaceRoot: workspace.root, logger: noted.context.logger, fs });
    try {
      const ports = createLocalRunPorts({
        root: workspace.root,
        graph: workspace.graph,
        fs,
        hasher,
        // This process exists only for the run: `mlc stop` may SIGTERM it if it stops answering.
        ownerKind: 'cli',
        git: createLazyLocalGitCalls(),
        // Progress and stage output go to stderr with --json too: CI logs stay readable while
        // stdout carries only the final document.
        observer: humanObserver(noted.context),
        onRunStarted: (runId, directory, planned) => {
          witnessed?.stop();
          context.printDiagnostic(
            `Run ${runId}: ${planned.length} stage(s) (record: ${relative(context.cwd, directory)})`,
          );
        },
      });
      let outcome: PipelineRunOutcome;
      try {
        outcome = await runPipeline(
          {
            root: workspace.root,
            nodes: schedulerNodesOf(workspace.graph),
            targets,
            force: values.force === true,
            keepGoing: values['keep-going'] === true,
            dryRun: values['dry-run'] === true,
            jobs,
            ...(values.runner === undefined ? {} : { runner: values.runner }),
            runners: runnersByPipeline(workspace.pipelines),
            alerts: alertsByPipeline(workspace.pipelines),
          },
          ports,
          context.signal,
        );
      } catch (error) {
        // Ctrl-C while statuses were computed: nothing ran and nothing was recorded.
        if (!context.signal.aborted) throw error;
        context.printDiagnostic('mlc run: cancelled before any stage started.');
        return ExitCode.failed;
      }
      await hasher.flush();
      const clean = workspace.problems.length === 0 && !noted.saidMore();
      if (outcome.kind === 'upToDate' && witnessed && answerKey !== undefined && clean) {
        const output = upToDateOutput(json, problems);
        keepAnswer(root, 'run', {
          code,
          key: answerKey,
          workspaceFacts,
          witnessed,
          startedMs,
          output,
          exitCode: ExitCode.ok,
        });
      }
      return report(outcome, { json, problems, failOnAlert: values['fail-on-alert'] === true }, context);
    } finally {
      hasher.dispose();
    }
  },
};

function resolveTargets(graph: Parameters<typeof matchTarget>[0], positionals: readonly string[]): string[] {
  const addresses: string[] = [];
  for (const target of positionals) {
    const match = matchTarget(graph, target);
    if (match.ambiguous.length > 0) {
      throw new UsageError(
        `'${target}' names stages in several pipeline files; say which: ${match.ambiguous.join(', ')}.`,
      );
    }
    if (match.stages.length === 0) {
      const known = graph.stages.map((stage) => graph.address(stage));
      const shown = known.slice(0, 20).join(', ') + (known.length > 20 ? ', …' : '');
      throw new UsageError(`unknown stage '${target}'. Stages: ${shown}.`);
    }
    for (const stage of match.stages) addresses.push(graph.address(stage));
  }
  return [...new Set(addresses)];
}

/**
 * `mlc run` with no STAGE: every stage when started in the workspace root; from a sub-folder, the
 * stages of the pipeline files at or below it, as `dvc repro` does (their upstream stages come
 * along through the plan). Undefined when that sub-folder holds no stage.
 */
function stagesAtOrBelow(workspace: Workspace, cwd: string): string[] | undefined {
  if (resolve(cwd) === workspace.root) return [];
  const { graph } = workspace;
  const inside = graph.stages.filter((stage) => !relative(cwd, stage.pipelineFile).startsWith('..'));
  return inside.length > 0 ? inside.map((stage) => graph.address(stage)) : undefined;
}

/** `--runner NAME` must be `local` or a runner some pipeline file declares. */
function checkRunnerName(pipelines: Workspace['pipelines'], name: string): void {
  const declared = new Set([
    'local',
    ...pipelines.flatMap((pipeline) => pipeline.runners.map((runner) => runner.name)),
  ]);
  if (!declared.has(name)) {
    throw new UsageError(
      `unknown runner '${name}': declare it under runners: in mlc.yaml (known: ${[...declared].join(', ')}).`,
    );
  }
}

function humanObserver(context: CliContext): RunObserver {
  const write = context.printDiagnostic;
  return {
    // Stage names come from the pipeline file: escaped. A stage's output is the user's own program
    // talking to their terminal: passed through as it is.
    stageStarted: (address, attempt) =>
      write(attempt > 1 ? `▶ ${terminalText(address)} (attempt ${attempt})` : `▶ ${terminalText(address)}`),
    stageOutput: (address, _stream, line) => write(`[${terminalText(address)}] ${line}`),
    stageFinished: (address, result) =>
      write(`${statusMark(result)} ${terminalText(address)} ${describeStage(result)}`),
    runWarning: (message) => write(`mlc run: warning: ${terminalText(message)}`),
    alertFired: (alert) =>
      write(`⚠ alert: ${terminalText(alert.message)} (${terminalText(alert.pipeline)}:${alert.line})`),
  };
}

function statusMark(result: StageRunRecord): string {
  return result.status === 'succeeded'
    ? '✔'
    : result.status === 'skipped' || result.status === 'up-to-date'
      ? '·'
      : '✖';
}

/** How a stage ended, escaped for the terminal (failure messages quote paths and names). */
function describeStage(result: StageRunRecord): string {
  const took = result.durationMs === undefined ? '' : ` in ${formatDuration(result.durationMs)}`;
  if (result.status === 'succeeded') return `succeeded${took}`;
  if (result.status === 'skipped') return terminalText(`skipped: ${result.skipReason ?? 'not run'}`);
  if (result.status === 'up-to-date') return 'up to date (its upstream rewrote identical outs)';
  return terminalText(`${result.status}${took}${result.failure ? `: ${result.failure.message}` : ''}`);
}

/**
 * The result on stdout: with --json always one document, carrying the pipeline's problems
 * (warnings; a pipeline with errors never gets this far).
 */
function report(
  outcome: PipelineRunOutcome,
  {
    json,
    problems,
    failOnAlert,
  }: { readonly json: boolean; readonly problems: readonly object[]; readonly failOnAlert: boolean },
  context: CliContext,
): ExitCode {
  switch (outcome.kind) {
    case 'locked': {
      const { holder } = outcome;
      const message = `another run (${holder.runId}, pid ${holder.pid} on ${holder.hostname}) holds this workspace; wait for it, or stop it with \`mlc stop ${holder.runId}\`. If you know it is gone, delete .mlc/lock.`;
      if (json) context.print(JSON.stringify({ runId: null, status: 'locked', heldBy: holder, message, problems }));
      else context.printDiagnostic(`mlc run: ${terminalText(message)}`);
      return ExitCode.failed;
    }
    case 'dryRun':
      context.print(
        json ? JSON.stringify({ dryRun: true, ...planJson(outcome.plan), problems }) : formatPlan(outcome.plan),
      );
      return ExitCode.ok;
    case 'upToDate':
      context.print(upToDateOutput(json, problems));
      return ExitCode.ok;
    case 'finished': {
      const { record } = outcome;
      if (json) {
        context.print(
          JSON.stringify({
            runId: record.id,
            status: record.status,
            directory: outcome.directory,
            stages: record.stages,
            alerts: record.alerts ?? [],
            problems,
          }),
        );
      } else {
        const rows = record.stages.map(
          (stage) => `  ${terminalText(stage.address).padEnd(24)} ${describeStage(stage)}`,
        );
        const took = record.endedAt === undefined ? '' : ` in ${formatDuration(record.endedAt - record.startedAt)}`;
        const alerts = (record.alerts ?? []).map((alert) => `  ⚠ alert: ${terminalText(alert.message)}`);
        context.print([`Run ${record.id} ${record.status}${took}.`, ...rows, ...alerts].join('\n'));
      }
      if (failOnAlert && (record.alerts?.length ?? 0) > 0) {
        context.printDiagnostic(`mlc run: ${record.alerts!.length} alert(s) fired (--fail-on-alert).`);
        return ExitCode.failed;
      }
      return record.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
    }
  }
}

function upToDateOutput(json: boolean, problems: readonly object[]): string {
  return json
    ? JSON.stringify({ runId: null, status: 'up-to-date', stages: [], problems })
    : 'Everything is up to date.';
}

function planJson(plan: RunPlan) {
  return {
    stages: plan.stages.map((planned) => ({
      address: planned.address,
      name: planned.stage.name,
      reasons: planned.reasons,
      conditional: !planned.definite,
    })),
    upToDate: plan.upToDate,
    frozen: plan.frozen,
  };
}

function formatPlan(plan: RunPlan): string {
  if (plan.stages.length === 0) return 'Everything is up to date.';
  const lines = ['Would run:'];
  for (const planned of plan.stages) {
    const when = planned.definite ? '' : ' (if its upstream changes its inputs)';
    lines.push(`  ${planned.address}${when}: ${planned.reasons.join('; ')}`);
  }
  if (plan.upToDate.length > 0) lines.push(`Up to date: ${plan.upToDate.join(', ')}`);
  if (plan.frozen.length > 0) lines.push(`Frozen (not run): ${plan.frozen.join(', ')}`);
  return lines.map(terminalText).join('\n');
}
