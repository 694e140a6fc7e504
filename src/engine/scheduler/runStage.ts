import { resolve } from 'pathe';
import { formatDuration } from '../../protocol/formatRunValues';
import { unhashableReason } from '../hashing/unhashableReason';
import type { Stage } from '../pipeline/model';
import { checkOutOwnership } from '../pipeline/outOwnership';
import { readSummaryMetrics } from '../runStore/readSummaryMetrics';
import { createPlotTailer, type PlotTailer } from '../runStore/plotFileTailer';
import type { RunRecorder } from '../runStore/runRecorder';
import type { StageFailure, StageRunRecord } from '../runStore/runRecord';
import { LOCAL_RUNNER, type RunnerPlacement } from '../runners/chooseRunner';
import { remoteStageContext, type RemoteStageContext } from '../runners/remoteStage';
import { slurmArrayGroup } from '../runners/slurmJob';
import type { PlannedStage } from './planRun';
import type { ProcessResult, ProcessRunner, StagePlacement } from './ports';
import type { SchedulerDependencies } from './schedulerDependencies';
import { describeError } from '../engineError';

const DEFAULT_METRICS_POLL_MS = 200;

/**
 * Runs one planned stage to its end and records what happened: re-checks a conditional stage,
 * deletes non-persist outs (DVC semantics), runs each `cmd` entry in order until one fails,
 * retries a failed attempt up to `retries` times, follows its plot files while it runs, checks
 * that every declared out exists, and only then records success (lock entry, hashes). A cancelled
 * or killed stage never reaches `recordSuccess`, so nothing half-written counts as up to date.
 */
export async function runStage(
  planned: PlannedStage,
  recorder: RunRecorder,
  dependencies: SchedulerDependencies,
  signal: AbortSignal,
  /** Called once the stage's commands have succeeded (its job slot may go to another stage). */
  onCommandsEnded: () => void = () => undefined,
  options: {
    /** For a foreach/matrix member on a Slurm runner: `-j` (the array's throttle), members started with it. */
    readonly slurmArray?: { readonly throttle: number; readonly members: number };
    /**
     * Handed ahead to a runner that holds it until a slot frees (executePlan): the stage counts as
     * started, its outs are deleted and `onStarted` is called only when its command really starts.
     * One that never starts (dropped after a failure, cancelled) comes back still `pending`.
     */
    readonly handedAhead?: { readonly onStarted: () => void };
  } = {},
): Promise<StageRunRecord> {
  const { stage, address } = planned;
  const record = recorder.stage(address);
  const ahead = options.handedAhead;
  if (!planned.definite) {
    const status = await dependencies.checkStatus(address, signal);
    if (status.state === 'up-to-date') {
      recorder.update(() => {
        record.status = 'up-to-date';
      });
      return record;
    }
    recorder.update(() => {
      record.reasons = [...status.reasons];
    });
  }
  let startedAt = dependencies.clock.now();
  let started = false;
  const markStarted = (at: number) => {
    if (started) return;
    started = true;
    startedAt = at;
    recorder.update(() => {
      record.status = 'running';
      record.startedAt = at;
    });
    recorder.appendEvent({ type: 'stageStarted', stage: address });
    ahead?.onStarted();
  };
  if (!ahead) markStarted(startedAt);
  const finishStage = (outcome: Parameters<typeof finishStageRecord>[4]) => {
    // A stage handed ahead that fails its checks counts as started (and failed) at once.
    markStarted(startedAt);
    return finishStageRecord(recorder, record, dependencies, startedAt, outcome);
  };
  const missingDeps = stage.deps.filter((dep) => !dependencies.fs.stat(resolve(stage.wdir, dep.path)));
  if (missingDeps.length > 0) {
    const names = missingDeps.map((dep) => dep.path).join(', ');
    const message = `dep ${names} does not exist; create it, or add the stage that writes it`;
    return finishStage({
      status: 'failed',
      failure: { code: 'depMissing', message },
    });
  }
  const refused = refusedOuts(stage, dependencies);
  if (refused.length > 0) {
    return finishStage({
      status: 'failed',
      failure: { code: 'outNotOwned', message: `not run, nothing deleted: ${refused.join('; ')}` },
    });
  }
  const unhashableDeps = unhashablePaths(stage.deps, stage, dependencies);
  if (unhashableDeps) {
    return finishStage({
      status: 'failed',
      failure: { code: 'depNotRegular', message: `dep ${unhashableDeps}; depend on a regular file or folder instead` },
    });
  }
  const choice = dependencies.runnerOf?.(stage) ?? { ok: true, runner: LOCAL_RUNNER };
  const processRunner = !choice.ok
    ? undefined
    : choice.runner.type === 'local'
      ? dependencies.processRunner
      : dependencies.remoteProcessRunner?.(choice);
  if (!choice.ok || !processRunner) {
    const message = choice.ok ? `this host cannot run stages on ${choice.runner.type} runners` : choice.message;
    return finishStage({
      status: 'failed',
      failure: { code: 'runnerUnknown', message: `not run: ${message}` },
    });
  }
  const arrayGroup = slurmArrayGroup(stage, choice);
  const remote =
    choice.runner.type === 'local'
      ? undefined
      : {
          placement: choice,
          processRunner,
          ...(arrayGroup === undefined
            ? {}
            : {
                slurmArray: {
                  group: arrayGroup,
                  throttle: Math.max(1, options.slurmArray?.throttle ?? 1),
                  members: options.slurmArray?.members ?? 1,
                },
              }),
        };
  if (remote) recorder.update(() => (record.runner = choice.runner.name));
  // A stage handed ahead has no plot outs (executePlan), and its runner deletes its outs.
  const tailers = ahead ? [] : followPlots(stage, dependencies);
  const firstStart = ahead && {
    removeBeforeStart: stage.outs.filter((out) => !out.persist).map((out) => resolve(stage.wdir, out.path)),
    markStarted,
  };
  const pollPlots = (final: boolean) => {
    for (const tailer of tailers) recorder.appendMetricPoints(address, tailer.poll(final));
  };
  const pollTimer =
    tailers.length > 0
      ? dependencies.timers.setInterval(() => pollPlots(false), dependencies.metricsPollMs ?? DEFAULT_METRICS_POLL_MS)
      : undefined;
  let outcome: { status: StageRunRecord['status']; failure?: StageFailure; last?: ProcessResult };
  try {
    outcome = await runAttempts(planned, recorder, dependencies, signal, remote ?? { processRunner }, firstStart);
  } finally {
    dependencies.timers.clear(pollTimer);
    pollPlots(true);
    // Rows of a plot file skipped for their width: one event per file, in the run's events.jsonl.
    for (const tailer of tailers) {
      for (const problem of tailer.takeProblems())
        recorder.appendEvent({ type: 'plotProblem', stage: address, problem });
    }
  }
  if (!started) return record;
  // Only a success frees the slot early: after a failure the scheduler must first decide
  // whether anything else may start at all.
  if (outcome.status === 'succeeded') onCommandsEnded();
  if (outcome.status === 'succeeded') outcome = await finishSuccess(planned, recorder, dependencies, outcome);
  return finishStage(outcome);
}

/** `path reason, …` for the paths that exist but cannot be hashed, or undefined when there are none. */
function unhashablePaths(
  entries: readonly { readonly path: string }[],
  stage: Stage,
  dependencies: SchedulerDependencies,
): string | undefined {
  const found = entries.flatMap((entry) => {
    const reason = unhashableReason(dependencies.fs.stat(resolve(stage.wdir, entry.path)));
    return reason ? [`${entry.path} ${reason}`] : [];
  });
  return found.length > 0 ? found.join(', ') : undefined;
}

function finishStageRecord(
  recorder: RunRecorder,
  record: StageRunRecord,
  dependencies: SchedulerDependencies,
  startedAt: number,
  outcome: { status: StageRunRecord['status']; failure?: StageFailure; last?: ProcessResult },
): StageRunRecord {
  const endedAt = dependencies.clock.now();
  recorder.update(() => {
    record.status = outcome.status;
    record.endedAt = endedAt;
    record.durationMs = endedAt - startedAt;
    if (outcome.last?.exitCode !== undefined) record.exitCode = outcome.last.exitCode;
    if (outcome.last?.signal !== undefined) record.signal = outcome.last.signal;
    if (outcome.failure) record.failure = outcome.failure;
  });
  recorder.appendEvent({
    type: 'stageFinished',
    stage: record.address,
    status: record.status,
    exitCode: record.exitCode,
  });
  return record;
}

/**
 * Outs the stage may not delete (outside the workspace, the workspace itself, `.git`, `.mlc`,
 * pipeline, lock or params files, its own inputs). `mlc run` refuses such a pipeline earlier, but
 * every caller of runPipeline (the extension too) gets here, so the rule is kept here as well.
 */
function refusedOuts(stage: Stage, dependencies: SchedulerDependencies): string[] {
  // Symlinks may have changed since the rules were made: resolve folders afresh for each stage.
  const rules = { ...dependencies.outOwnership, realFolders: new Map<string, string | undefined>() };
  return stage.outs.flatMap((out) => {
    const refusal = checkOutOwnership(dependencies.fs, rules, stage, out);
    return refusal ? [`out ${out.path} ${refusal.reason}`] : [];
  });
}

/** Deletes declared outs that are not `persist: true`, and starts following the plot files. */
function followPlots(stage: Stage, dependencies: SchedulerDependencies): PlotTailer[] {
  const tailers: PlotTailer[] = [];
  for (const out of stage.outs) {
    const path = resolve(stage.wdir, out.path);
    if (!out.persist) dependencies.fs.remove(path);
    if (out.kind === 'plot') {
      tailers.push(
        createPlotTailer(dependencies.fs, path, out.plot, dependencies.clock, { skipExisting: out.persist }),
      );
    }
  }
  return tailers;
}

async function runAttempts(
  planned: PlannedStage,
  recorder: RunRecorder,
  dependencies: SchedulerDependencies,
  signal: AbortSignal,
  where: {
    readonly processRunner: ProcessRunner;
    readonly placement?: RunnerPlacement;
    readonly slurmArray?: RemoteStageContext['slurmArray'];
  },
  /** The first command of a stage handed ahead: held by the runner, the stage marked started when it starts. */
  handedAhead?: { readonly removeBeforeStart: readonly string[]; readonly markStarted: (at: number) => void },
): Promise<{ status: StageRunRecord['status']; failure?: StageFailure; last?: ProcessResult }> {
  const { stage, address } = planned;
  const record = recorder.stage(address);
  const commands = typeof stage.cmd === 'string' ? [stage.cmd] : [...stage.cmd];
  const mlcVariables = { MLC_RUN_ID: recorder.id, MLC_STAGE: address, MLC_RUN_DIR: recorder.directory };
  const environment = { ...dependencies.environment, ...stage.env, ...mlcVariables };
  // A remote host gets the stage's own variables, never this machine's whole environment.
  const context =
    where.placement &&
    remoteStageContext(where.placement, address, stage, dependencies.outOwnership.root, {
      ...stage.env,
      ...mlcVariables,
    });
  const remote = context && where.slurmArray ? { ...context, slurmArray: where.slurmArray } : context;
  // The runner reports its placement on every look at the job: the observer hears of changes only.
  let toldPlacement = '';
  const onPlacement = (placement: StagePlacement) => {
    recorder.update(() => {
      if (placement.host !== undefined) record.host = placement.host;
      if (placement.jobId !== undefined) record.jobId = placement.jobId;
      if (placement.state === 'queued') record.queuedReason = placement.reason ?? 'queued';
      else delete record.queuedReason;
    });
    const told = JSON.stringify([placement.state, placement.reason, placement.host, placement.jobId]);
    if (placement.state !== undefined && told !== toldPlacement) {
      toldPlacement = told;
      dependencies.observer?.stagePlacement?.(address, placement);
    }
  };
  const attempts = stage.retries + 1;
  let last: ProcessResult | undefined;
  let failure: StageFailure | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      // A retry starts as clean as the first attempt did.
      for (const out of stage.outs) if (!out.persist) dependencies.fs.remove(resolve(stage.wdir, out.path));
    }
    const heldAhead = attempt === 1 ? handedAhead : undefined;
    if (!heldAhead) dependencies.observer?.stageStarted?.(address, attempt);
    let attemptStart = dependencies.clock.now();
    let commandIndex = 0;
    failure = undefined;
    for (; commandIndex < commands.length; commandIndex++) {
      const ahead =
        heldAhead && commandIndex === 0
          ? {
              ahead: true,
              removeBeforeStart: heldAhead.removeBeforeStart,
              onStarted: (at: number) => {
                attemptStart = at;
                heldAhead.markStarted(at);
                dependencies.observer?.stageStarted?.(address, attempt);
              },
            }
          : {};
      last = await where.processRunner.start(
        {
          command: commands[commandIndex]!,
          cwd: stage.wdir,
          env: environment,
          ...(stage.timeoutMs === undefined
            ? {}
            : { timeoutMs: Math.max(0, stage.timeoutMs - (dependencies.clock.now() - attemptStart)) }),
          ...(dependencies.killGraceMs === undefined ? {} : { killGraceMs: dependencies.killGraceMs }),
          onLine: (stream, line, timestamp) => {
            recorder.logLine(address, stream, line, timestamp);
            dependencies.observer?.stageOutput?.(address, stream, line);
          },
          ...(remote ? { remote, onPlacement } : {}),
          ...ahead,
        },
        signal,
      ).result;
      // Handed ahead and never started: nothing ran, nothing is recorded (executePlan decides).
      if (last.notStarted) return { status: 'pending' };
      failure = describeFailure(last, stage, commands.length > 1 ? commandIndex : undefined);
      if (failure || last.cancelled) break;
    }
    const finishedLast = last;
    recorder.update(() => {
      record.attempts.push({
        startedAt: attemptStart,
        endedAt: finishedLast?.endedAt ?? dependencies.clock.now(),
        ...(finishedLast?.exitCode === undefined ? {} : { exitCode: finishedLast.exitCode }),
        ...(finishedLast?.signal === undefined ? {} : { signal: finishedLast.signal }),
        ...(finishedLast?.timedOut ? { timedOut: true } : {}),
        commandIndex: Math.min(commandIndex, commands.length - 1),
      });
    });
    if (last?.cancelled || signal.aborted) {
      return {
        status: 'cancelled',
        failure: { code: 'killed', message: 'cancelled: the run was stopped' },
        ...(last ? { last } : {}),
      };
    }
    if (!failure) return { status: 'succeeded', ...(last ? { last } : {}) };
  }
  return { status: 'failed', ...(failure ? { failure } : {}), ...(last ? { last } : {}) };
}

function describeFailure(
  result: ProcessResult,
  stage: Stage,
  commandIndex: number | undefined,
): StageFailure | undefined {
  const which = commandIndex === undefined ? 'the command' : `command ${commandIndex + 1}`;
  if (result.runnerFailure) return result.runnerFailure;
  if (result.startError !== undefined) {
    return { code: 'startFailed', message: `${which} could not start: ${result.startError}` };
  }
  if (result.timedOut) {
    return {
      code: 'timedOut',
      message: `timed out after ${formatDuration(stage.timeoutMs ?? 0)}: the stage's processes were killed`,
    };
  }
  if (result.cancelled) return { code: 'killed', message: 'cancelled: the run was stopped' };
  if (result.signal !== undefined) return { code: 'killed', message: `${which} was killed by ${result.signal}` };
  if (result.exitCode !== 0) return { code: 'exitCode', message: `${which} exited with code ${result.exitCode}` };
  return undefined;
}

/** After the commands succeeded: every declared out must exist, then metrics and the lock entry are recorded. */
async function finishSuccess(
  { stage, address }: PlannedStage,
  recorder: RunRecorder,
  dependencies: SchedulerDependencies,
  outcome: { status: StageRunRecord['status']; last?: ProcessResult },
): Promise<{ status: StageRunRecord['status']; failure?: StageFailure; last?: ProcessResult }> {
  const missing = stage.outs.filter((out) => !dependencies.fs.stat(resolve(stage.wdir, out.path)));
  if (missing.length > 0) {
    const names = missing.map((out) => out.path).join(', ');
    return {
      ...outcome,
      status: 'failed',
      failure: { code: 'outNotProduced', message: `out ${names} was not produced` },
    };
  }
  const unhashableOuts = unhashablePaths(stage.outs, stage, dependencies);
  if (unhashableOuts) {
    return { ...outcome, status: 'failed', failure: { code: 'outNotProduced', message: `out ${unhashableOuts}` } };
  }
  const metrics: Record<string, number> = {};
  for (const out of stage.outs) {
    if (out.kind !== 'metric') continue;
    Object.assign(metrics, readSummaryMetrics(dependencies.fs, resolve(stage.wdir, out.path)) ?? {});
  }
  recorder.update((record) => Object.assign(record.metrics, metrics));
  try {
    const hashes = await dependencies.recordSuccess(stage);
    recorder.update(() => {
      const record = recorder.stage(address);
      record.deps = hashes.deps;
      record.outs = hashes.outs;
    });
    return outcome;
  } catch (error) {
    const message = describeError(error);
    return {
      ...outcome,
      status: 'failed',
      failure: { code: 'recordFailed', message: `its lock entry could not be written: ${message}` },
    };
  }
}
