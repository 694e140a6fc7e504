import { join, relative } from 'pathe';
import type { DeploymentHealth } from '../alerts/alertMonitor';
import { watchRunAlerts } from '../alerts/watchRunAlerts';
import type { AlertRule, Pipeline, RunnerConfig, Stage } from '../pipeline/model';
import { chooseRunner } from '../runners/chooseRunner';
import { outOwnershipRules } from '../pipeline/outOwnership';
import type { ParamValue } from '../runs/model';
import { createRunId } from '../runStore/createRunId';
import { markDeadRunsInterrupted, markRunInterrupted } from '../runStore/markRunInterrupted';
import { RunRecorder } from '../runStore/runRecorder';
import type { RunOwner, RunOwnerKind, RunRecord, StageRunRecord } from '../runStore/runRecord';
import { safeFileName } from '../runStore/safeFileName';
import { watchStopRequest, type StopRequest } from '../runStore/stopRequest';
import type { LockHolder, WorkspaceLock } from '../runStore/workspaceLock';
import { executePlan } from './executePlan';
import { planRun, upstreamClosure, type RunPlan, type SchedulerNode, type StageStatusView } from './planRun';
import type { SchedulerDependencies } from './schedulerDependencies';
import { describeError } from '../engineError';

export interface PipelineRunRequest {
  /** Absolute workspace root; run records go to `<root>/.mlc/runs`. */
  readonly root: string;
  /** Every stage of the workspace, in topological order. */
  readonly nodes: readonly SchedulerNode[];
  /** Resolved target addresses; empty = every stage. */
  readonly targets: readonly string[];
  readonly force: boolean;
  readonly keepGoing: boolean;
  readonly dryRun: boolean;
  readonly jobs: number;
  /** `mlc run --runner NAME`: every stage runs there, whatever its `runner:` says. */
  readonly runner?: string;
  /** Where stages without a `runner:` key run (the setting `mlc.run.defaultRunner`); default local. */
  readonly defaultRunner?: string;
  /** The runners each pipeline file declares (runnersByPipeline); absent = only `local`. */
  readonly runners?: ReadonlyMap<string, readonly RunnerConfig[]>;
  /** The `alerts:` each pipeline file declares (alertsByPipeline); a run watches those of its stages' files. */
  readonly alerts?: ReadonlyMap<string, readonly AlertRule[]>;
}

/** The `runners:` of each pipeline file, keyed by the file's absolute path, for PipelineRunRequest.runners. */
export function runnersByPipeline(pipelines: readonly Pick<Pipeline, 'file' | 'runners'>[]) {
  return new Map(pipelines.map((pipeline) => [pipeline.file, pipeline.runners]));
}

/** The out rules and the runner choice come from the request (see runPipeline), not from the caller. */
export interface PipelineRunPorts extends Omit<SchedulerDependencies, 'outOwnership' | 'runnerOf'> {
  /** Statuses of the given addresses (all when undefined); never spawns a process. */
  readonly statusOf: (
    addresses: readonly string[] | undefined,
    signal: AbortSignal,
  ) => Promise<ReadonlyMap<string, StageStatusView>>;
  /** The stage's params, flattened with dots (`train.lr`). */
  readonly paramsOf: (stage: Stage) => Readonly<Record<string, ParamValue>>;
  /** Undefined outside a git repository. */
  readonly gitState: () => Promise<{ readonly commit: string | undefined; readonly dirty: boolean } | undefined>;
  readonly workspaceLock: WorkspaceLock;
  /**
   * This process: written into the lock and the record. `mlc stop` asks it to stop through a
   * stop-request file; only a `cli` owner that ignores the request is ever signalled.
   */
  readonly owner: RunOwner & { readonly kind: RunOwnerKind };
  /** Called once the run's record exists, before any stage starts. */
  readonly onRunStarted?: (runId: string, runDirectory: string, planned: readonly string[]) => void;
  /**
   * Writes the queued lock entries (resolves once they are on disk): before each write of
   * run.json, which may say they succeeded.
   */
  readonly flushLockEntries?: () => Promise<void>;
  /** Writes whatever the ports buffered (lock entries, hash cache) before the run is closed. */
  readonly flushRecords?: () => Promise<void>;
  /** Appends the finished run to the workspace's audit log (`.mlc/audit.jsonl`); absent = no audit. */
  readonly audit?: (type: 'run' | 'alert', data: Readonly<Record<string, unknown>>) => Promise<void>;
  /** Health of a deploy target, for `deployment:` alerts; absent = those alerts are not checked. */
  readonly deploymentHealth?: (target: string) => Promise<DeploymentHealth>;
  readonly random?: () => number;
}

export type PipelineRunOutcome =
  | { readonly kind: 'dryRun'; readonly plan: RunPlan }
  | { readonly kind: 'upToDate'; readonly plan: RunPlan }
  | { readonly kind: 'locked'; readonly holder: LockHolder }
  | {
      readonly kind: 'finished';
      readonly plan: RunPlan;
      readonly record: Readonly<RunRecord>;
      readonly directory: string;
    };

export const RUNS_FOLDER = '.mlc/runs';

/**
 * One `mlc run`, shared by the CLI and the extension: takes the workspace lock (a run left by a
 * dead process is recorded as interrupted on the way), decides what runs and why, records the run
 * in `.mlc/runs/<run-id>/`, executes it and releases the lock. A dry run plans without locking, and
 * so does a run that finds nothing to do while no lock is held.
 */
export async function runPipeline(
  request: PipelineRunRequest,
  ports: PipelineRunPorts,
  signal: AbortSignal,
): Promise<PipelineRunOutcome> {
  const selection = request.targets.length > 0 ? upstreamClosure(request.nodes, request.targets) : undefined;
  if (request.dryRun) {
    const statuses = await ports.statusOf(selection, signal);
    return { kind: 'dryRun', plan: planRun(request.nodes, statuses, request) };
  }
  // With no lock there, "nothing to do" is answered without taking it: an up-to-date run then
  // writes nothing at all. What is to run is decided again under the lock (another run may have
  // run it meanwhile), so two runs still never both run a stage. --force always runs something.
  if (!request.force && ports.workspaceLock.isFree?.() === true) {
    const plan = planRun(request.nodes, await ports.statusOf(selection, signal), request);
    if (plan.stages.length === 0) return { kind: 'upToDate', plan };
  }
  const runsDirectory = join(request.root, RUNS_FOLDER);
  const startedAt = ports.clock.now();
  const runId = createRunId(startedAt, ports.random);
  const { pid, hostname } = ports.owner;
  const holder: LockHolder = { runId, pid, hostname, acquiredAt: startedAt };
  const lock = ports.workspaceLock.tryAcquire(holder);
  if (!lock.acquired) return { kind: 'locked', holder: lock.holder };
  let releaseLock = lock.release;
  // A stage that deletes `.mlc` deletes the lock with the records: take it again at once, so no
  // other run starts beside this one.
  const onFolderRecreated = (message: string) => {
    ports.observer?.runWarning?.(message);
    const again = ports.workspaceLock.tryAcquire(holder);
    if (again.acquired) releaseLock = again.release;
    else ports.observer?.runWarning?.(`another run (${again.holder.runId}) took the workspace lock meanwhile`);
  };
  try {
    for (const warning of lock.warnings ?? []) ports.observer?.runWarning?.(warning);
    if (lock.staleHolder) {
      markRunInterrupted(
        ports.fs,
        ports.clock,
        join(runsDirectory, lock.staleHolder.runId),
        `interrupted: its mlc process (pid ${lock.staleHolder.pid}) died before the run ended`,
      );
    }
    markDeadRunsInterrupted(ports.fs, ports.clock, runsDirectory);
    const statuses = await ports.statusOf(selection, signal);
    const plan = planRun(request.nodes, statuses, request);
    if (plan.stages.length === 0) return { kind: 'upToDate', plan };
    const params: Record<string, ParamValue> = {};
    for (const planned of plan.stages) Object.assign(params, ports.paramsOf(planned.stage));
    const git = await ports.gitState();
    const recorder = RunRecorder.create(
      ports.fs,
      ports.clock,
      ports.timers,
      runsDirectory,
      {
        owner: ports.owner,
        workspace: request.root,
        targets: request.targets,
        options: {
          jobs: request.jobs,
          force: request.force,
          keepGoing: request.keepGoing,
          runner: request.runner ?? request.defaultRunner ?? 'local',
        },
        stages: plan.stages.map((planned) =>
          stageRecord(request.root, planned.address, planned.stage, planned.reasons),
        ),
        ...(git ? { git } : {}),
      },
      {
        id: runId,
        onFolderRecreated,
        // The record is rewritten in the background: a failed write is told, the next one tries again.
        onWriteFailed: (message) => ports.observer?.runWarning?.(`run.json could not be written: ${message}`),
        ...(ports.random ? { random: ports.random } : {}),
        ...(ports.flushLockEntries ? { beforeWrite: ports.flushLockEntries } : {}),
      },
    );
    recorder.update((record) => Object.assign(record.params, params));
    ports.onRunStarted?.(
      recorder.id,
      recorder.directory,
      plan.stages.map((planned) => planned.address),
    );
    // `mlc stop` from anywhere cancels the run exactly as Ctrl-C (or the window's Stop) does.
    const stopWatch = watchStopRequest(ports.fs, recorder.directory, ports, signal, (stop) => {
      recorder.update((record) => (record.stopRequest = { ...stop, noticedAt: ports.clock.now() }));
      recorder.appendEvent({ type: 'stopRequested', by: stop.by });
      // At once, not coalesced: `mlc stop` reads this as the owner's answer.
      recorder.writeSoon();
    });
    const alerts = watchRunAlerts(recorder, request.root, request.alerts ?? new Map(), {
      fs: ports.fs,
      clock: ports.clock,
      timers: ports.timers,
      ...(ports.deploymentHealth ? { deploymentHealth: ports.deploymentHealth } : {}),
      ...(ports.audit ? { audit: ports.audit } : {}),
      onAlert: (alert) => ports.observer?.alertFired?.(alert),
      onWarning: (message) => ports.observer?.runWarning?.(message),
    });
    let status;
    try {
      const options = { jobs: request.jobs, keepGoing: request.keepGoing };
      // The engine holds the out rules itself, whichever front end asked for the run.
      const pipelineFiles = new Set(request.nodes.map((node) => node.stage.pipelineFile));
      const outOwnership = outOwnershipRules(ports.fs, request.root, pipelineFiles);
      // So is the choice of runner: --runner, the stage's runner:, the default runner, local.
      const selection = {
        ...(request.runner === undefined ? {} : { override: request.runner }),
        ...(request.defaultRunner === undefined ? {} : { fallback: request.defaultRunner }),
      };
      const runnerOf = (stage: Stage) => chooseRunner(stage, request.runners?.get(stage.pipelineFile) ?? [], selection);
      status = await executePlan(plan, recorder, { ...ports, outOwnership, runnerOf }, options, stopWatch.signal);
      await ports.flushRecords?.();
      await alerts.finish();
    } catch (error) {
      alerts.dispose();
      try {
        await recorder.finish('failed', `mlc failed while running: ${describeError(error)}`);
      } catch {
        // The record cannot be written either: the first error is the one to report.
      }
      throw error;
    } finally {
      stopWatch.dispose();
    }
    await recorder.finish(status, status === 'cancelled' ? cancelMessage(stopWatch.request()) : undefined);
    await auditRun(ports, recorder.record);
    return { kind: 'finished', plan, record: recorder.record, directory: recorder.directory };
  } finally {
    releaseLock();
  }
}

/** The run is already recorded: an audit log that cannot be appended is a warning, not a failed run. */
async function auditRun(ports: PipelineRunPorts, record: Readonly<RunRecord>): Promise<void> {
  if (!ports.audit) return;
  const stages = record.stages.map((stage) => ({ address: stage.address, status: stage.status }));
  try {
    await ports.audit('run', { runId: record.id, status: record.status, stages });
  } catch (error) {
    const message = describeError(error);
    ports.observer?.runWarning?.(`the run was recorded, but .mlc/audit.jsonl could not be appended: ${message}`);
  }
}

function cancelMessage(stop: StopRequest | undefined): string {
  if (!stop) return 'cancelled: mlc was asked to stop';
  return `cancelled: stop requested by ${stop.by.command} (pid ${stop.by.pid} on ${stop.by.hostname})`;
}

function stageRecord(root: string, address: string, stage: Stage, reasons: readonly string[]): StageRunRecord {
  return {
    address,
    name: stage.name,
    pipeline: relative(root, stage.pipelineFile),
    status: 'pending',
    reasons: [...reasons],
    attempts: [],
    logFile: `logs/${safeFileName(address)}.log`,
  };
}
