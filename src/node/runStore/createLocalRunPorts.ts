import { hostname } from 'node:os';
import { checkDeploymentHealth } from '../../engine/alerts/checkDeploymentHealth';
import { appendAuditEntry } from '../../engine/audit/auditLog';
import type { ContentHasher } from '../../engine/hashing/ports';
import type { Stage } from '../../engine/pipeline/model';
import type { StageGraph } from '../../engine/pipeline/stageGraph';
import { lockFilePathFor } from '../../engine/lock/model';
import { assertLockWritable, readLockFile } from '../../engine/lock/readLockFile';
import { readStageParams, type ParamsFileContents } from '../../engine/params/readParams';
import type { Disposable, FileSystem } from '../../engine/ports';
import type { ParamValue } from '../../engine/runs/model';
import type { RunOwnerKind } from '../../engine/runStore/runRecord';
import { flattenParamValues } from '../../engine/runStore/flattenNumbers';
import { createBatchedLockRecorder } from '../../engine/scheduler/createBatchedLockRecorder';
import type { SchedulerNode, StageStatusView } from '../../engine/scheduler/planRun';
import type { ProcessRunner } from '../../engine/scheduler/ports';
import type { RunObserver } from '../../engine/scheduler/schedulerDependencies';
import type { PipelineRunPorts } from '../../engine/scheduler/runPipeline';
import { computeStatus, type StatusGraph, type StageStatus } from '../../engine/status/computeStatus';
import type { deployHostOfTarget } from '../deploy/createDeployPorts';
import type { DeployHost } from '../../engine/deploy/ports';
import { sha256Text } from '../deploy/sha256Text';
import type { GitCalls } from '../git/gitCalls';
import { collectGarbage } from '../process/collectGarbage';
import { createProcessWorkerRunner, findProcessWorker } from '../process/createProcessWorkerRunner';
import { nodeProcessRunner } from '../process/nodeProcessRunner';
import { createRemoteProcessRunners } from '../runners/createRemoteProcessRunner';
import { createWorkspaceLock } from './createWorkspaceLock';
import { systemClock, systemTimers } from '../systemTime';

/** From this many planned stages on, commands are spawned from a small worker process. */
const MANY_STAGES = 50;

export interface LocalRunSetup {
  readonly root: string;
  readonly graph: StageGraph;
  readonly fs: FileSystem;
  readonly hasher: ContentHasher;
  readonly observer?: RunObserver;
  readonly killGraceMs?: number;
  readonly onRunStarted?: PipelineRunPorts['onRunStarted'];
  /**
   * `cli` only for a dedicated `mlc run` process, which `mlc stop` may SIGTERM when it ignores a
   * stop request. Anything else (the extension host) is `extension`, the default: never signalled.
   */
  readonly ownerKind?: RunOwnerKind;
  /** Git for the run's record and the audit log: createLocalGitCalls, or the run index worker's. */
  readonly git: GitCalls;
}

/** Every stage of the graph as the scheduler needs it: topological order, direct upstream. */
export function schedulerNodesOf(graph: StageGraph): SchedulerNode[] {
  return graph.stages.map((stage) => {
    const address = graph.address(stage);
    return { address, stage, upstream: graph.dependencies(address) };
  });
}

/**
 * Wires the scheduler to this machine: processes through /bin/sh in their own process groups,
 * status and lock entries through the engine's hashing (computeStatus, recordStageSuccess), git
 * through `setup.git`, and `.mlc/lock` for the workspace. Shared by `mlc run` and the extension.
 */
export function createLocalRunPorts(setup: LocalRunSetup): PipelineRunPorts {
  const { fs, graph } = setup;
  // The stat cache is only an optimisation: persist it once at the end of the run, not per stage.
  const hasher: ContentHasher = {
    hash: (path, algorithm) => setup.hasher.hash(path, algorithm),
    ...(setup.hasher.hashIfKnown ? { hashIfKnown: setup.hasher.hashIfKnown.bind(setup.hasher) } : {}),
    flush: async () => undefined,
  };
  const lockRecorder = createBatchedLockRecorder({ fs, hasher, timers: systemTimers });
  let workerRunner: (ProcessRunner & Disposable) | undefined;
  const paramsCache = new Map<string, ParamsFileContents>();
  const deployHosts = new Map<string, DeployHost>();
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) environment[name] = value;
  return {
    fs,
    clock: systemClock,
    timers: systemTimers,
    processRunner: {
      start: (spec, signal) => (workerRunner ?? nodeProcessRunner).start(spec, signal),
      // Only the worker holds starts (a run of many stages); in this process each starts at once.
      limitConcurrency: (slots) => workerRunner?.limitConcurrency?.(slots) ?? false,
    },
    remoteProcessRunner: createRemoteProcessRunners(),
    environment,
    ...(setup.observer ? { observer: setup.observer } : {}),
    ...(setup.killGraceMs === undefined ? {} : { killGraceMs: setup.killGraceMs }),
    onRunStarted(runId, directory, planned) {
      // Spawning costs in proportion to this process's memory: when enough stages will run for
      // it to matter, shed the parse garbage (~50 ms) and spawn from a small worker process.
      if (planned.length >= MANY_STAGES) {
        collectGarbage();
        const launch = findProcessWorker();
        if (launch) workerRunner = createProcessWorkerRunner(launch);
      }
      setup.onRunStarted?.(runId, directory, planned);
    },
    async statusOf(addresses, signal) {
      const statuses = await computeStatus(graph, { fs, hasher, signal, clock: systemClock }, addresses);
      refuseUnreadableLockFiles(fs, statuses.values());
      const views = new Map<string, StageStatusView>();
      for (const [address, status] of statuses) views.set(address, ownStatus(status));
      return views;
    },
    async checkStatus(address, signal) {
      await lockRecorder.flush();
      const stage = graph.get(address);
      if (!stage) return { state: 'changed', reasons: ['stage not found'] };
      // Only this stage's own inputs: its upstream stages have just finished in this run.
      const single: StatusGraph = {
        stages: [stage],
        address: () => address,
        get: (wanted) => (wanted === address ? stage : undefined),
        upstream: () => [],
        dependencies: () => [],
      };
      const status = (await computeStatus(single, { fs, hasher, signal, clock: systemClock }, [address])).get(address);
      return status ? ownStatus(status) : { state: 'changed', reasons: ['status unknown'] };
    },
    async recordSuccess(stage: Stage) {
      const entry = await lockRecorder.record(stage);
      const hashes = (paths: typeof entry.deps) =>
        Object.fromEntries(
          paths.filter((locked) => locked.md5 !== undefined).map((locked) => [locked.path, locked.md5!]),
        );
      return { deps: hashes(entry.deps), outs: hashes(entry.outs) };
    },
    paramsOf(stage) {
      const { values } = readStageParams(fs, stage, paramsCache);
      const flat: Record<string, ParamValue> = {};
      for (const fileValues of Object.values(values)) flattenParamValues(fileValues, flat);
      return flat;
    },
    flushLockEntries: () => lockRecorder.flush(),
    async flushRecords() {
      workerRunner?.dispose();
      workerRunner = undefined;
      await lockRecorder.flush();
      await setup.hasher.flush();
    },
    gitState: () => setup.git.repoState(setup.root),
    deploymentHealth: (target) => {
      // Once per target and run: the workspace is read to find the target's runner.
      let host = deployHosts.get(target);
      if (!host) deployHosts.set(target, (host = loadDeployPorts().deployHostOfTarget(fs, setup.root, target)));
      return checkDeploymentHealth({ fs, host }, setup.root, target);
    },
    audit: async (type, data) => {
      await appendAuditEntry({ fs, clock: systemClock, git: setup.git, sha256: sha256Text }, setup.root, type, data);
    },
    workspaceLock: createWorkspaceLock(setup.root),
    owner: { pid: process.pid, hostname: hostname(), kind: setup.ownerKind ?? 'extension' },
  };
}

/**
 * The deploy ports' module, loaded when a gate first asks for a deployment's health: it brings
 * node:http and the deploy hosts, which an up-to-date run (or any run without such a gate) never
 * uses. A `require` in a function, as createLazyLocalGitCalls does (esbuild keeps it a lazy init).
 */
function loadDeployPorts(): { deployHostOfTarget: typeof deployHostOfTarget } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return require('../deploy/createDeployPorts') as { deployHostOfTarget: typeof deployHostOfTarget };
}

/**
 * Before anything runs: a lock file of the selected stages that exists but could not be read
 * (merge conflict markers, binary, a folder…) would lose its other entries when a stage records
 * its success, so the run stops here with the lock file's problem (`mlc run` has refused earlier
 * through loadWorkspace's problems; this covers every other host, the extension's included).
 */
function refuseUnreadableLockFiles(fs: FileSystem, statuses: Iterable<StageStatus>): void {
  const lockPaths = new Set<string>();
  for (const { stage } of statuses) {
    const path = lockFilePathFor(stage);
    if (path) lockPaths.add(path);
  }
  for (const path of lockPaths) assertLockWritable(readLockFile(fs, path));
}

/**
 * computeStatus marks everything below a changed stage as changed (`upstream X changed`). The
 * scheduler wants a stage's own reasons: a stage changed only through its upstream is planned
 * after it and checked again once the upstream ran, so identical outs do not cascade (as DVC).
 */
function ownStatus(status: StageStatus): StageStatusView {
  const own = status.reasons.filter((reason) => !/^upstream .* changed$/.test(reason));
  if (status.state === 'changed' && own.length === 0) return { state: 'up-to-date', reasons: [] };
  if (own.length > 0) return { state: status.state, reasons: own };
  return { state: status.state, reasons: [status.state === 'never-run' ? 'never run' : status.state] };
}
