import type { ContentHasher, FileHash, HashAlgorithm } from '../hashing/ports';
import { createParamsFileLoader } from '../lock/collectStageParams';
import { lockFilePathFor } from '../lock/model';
import { readLockFile } from '../lock/readLockFile';
import type { Stage } from '../pipeline/model';
import type { Clock, FileSystem } from '../ports';
import { missingEntryReasons, stageReasons } from './stageReasons';

export type StageState = 'up-to-date' | 'changed' | 'never-run' | 'frozen' | 'running';

export interface StageStatus {
  readonly address: string;
  readonly stage: Stage;
  readonly state: StageState;
  readonly reasons: string[];
}

export interface StatusContext {
  readonly fs: FileSystem;
  readonly hasher: ContentHasher;
  readonly signal?: AbortSignal;
  /** Addresses of stages running now (from the run store); they are reported as `running`. */
  readonly runningStages?: ReadonlySet<string>;
  /** Lets an unchanged lock file be checked with a stat alone (readLockFile); else it is read. */
  readonly clock?: Clock;
}

/**
 * The part of the pipeline's StageGraph (src/engine/pipeline/stageGraph.ts) that status needs:
 * stages in topological order, addresses, direct dependencies and the transitive upstream.
 */
export interface StatusGraph {
  readonly stages: readonly Stage[];
  address(stage: Stage): string;
  get(address: string): Stage | undefined;
  /** Every stage above, transitively. */
  upstream(address: string): readonly string[];
  /** The stages directly above. */
  dependencies(address: string): readonly string[];
}

/** States whose outputs may change, so the stages below them are changed too. */
const PROPAGATING: ReadonlySet<StageState> = new Set(['changed', 'never-run', 'running']);

/**
 * Decides for each stage whether it must run (FORMATS.md §1.9-1.12): compare the lock entry
 * recorded after its last success with the rendered command, params and the content hashes of
 * deps and outs now. Frozen stages are `frozen`; stages without a lock entry `never-run` (with
 * the reason when their lock file could not be read or their entry is malformed);
 * MLproject entry points have no lock, so they are always changed (like DVC's stages without
 * deps and outs). Anything below a changed, never-run or running stage is changed with
 * `upstream <address> changed`. `addresses` limits the work to those stages and their upstream.
 * Results come in topological order. Hashes are looked up once per path per call.
 */
export async function computeStatus(
  graph: StatusGraph,
  context: StatusContext,
  addresses?: readonly string[],
): Promise<Map<string, StageStatus>> {
  const selected = selectStages(graph, addresses);
  // By algorithm, then path: no key string built per lookup. A hash the stat cache knows is kept
  // as it is, not as a promise: an up-to-date status is all cache hits.
  const hashes: Record<HashAlgorithm, Map<string, FileHash | Promise<FileHash | undefined>>> = {
    md5: new Map(),
    'md5-dos2unix': new Map(),
  };
  const hash = (path: string, algorithm: HashAlgorithm) => {
    const known = hashes[algorithm];
    let answer = known.get(path);
    if (!answer) {
      context.signal?.throwIfAborted();
      answer = context.hasher.hashIfKnown?.(path, algorithm) ?? context.hasher.hash(path, algorithm);
      known.set(path, answer);
    }
    return answer;
  };
  const loadParams = createParamsFileLoader(context.fs);
  // One read (and one stat) per lock file per call, not one per stage.
  const lockFiles = new Map<string, ReturnType<typeof readLockFile>>();
  const lockFile = (path: string) => {
    let read = lockFiles.get(path);
    if (!read) lockFiles.set(path, (read = readLockFile(context.fs, path, context.clock)));
    return read;
  };

  const own = await Promise.all(
    selected.map(async (stage): Promise<StageStatus> => {
      const address = graph.address(stage);
      const status = (state: StageState, reasons: string[] = []) => ({ address, stage, state, reasons });
      if (context.runningStages?.has(address)) return status('running');
      if (stage.frozen) return status('frozen');
      const lockPath = lockFilePathFor(stage);
      if (!lockPath) return status('changed', ['always changed']);
      const read = lockFile(lockPath);
      const locked = read.parsed.value.stages.get(stage.name);
      if (!locked) return status('never-run', missingEntryReasons(lockPath, read, stage.name));
      const reasons = await stageReasons(stage, locked, hash, (path) => context.fs.stat(path), loadParams);
      return status(reasons.length > 0 ? 'changed' : 'up-to-date', reasons);
    }),
  );
  await context.hasher.flush();
  context.signal?.throwIfAborted();

  const result = new Map<string, StageStatus>();
  for (const status of own) {
    const upstreamChanged = graph
      .dependencies(status.address)
      .map((upstream) => result.get(upstream))
      .filter((upstream): upstream is StageStatus => upstream !== undefined && PROPAGATING.has(upstream.state));
    const canPropagate = status.state === 'up-to-date' || status.state === 'changed' || status.state === 'never-run';
    if (upstreamChanged.length === 0 || !canPropagate) {
      result.set(status.address, status);
      continue;
    }
    const reasons = [...status.reasons, ...upstreamChanged.map((upstream) => `upstream ${upstream.address} changed`)];
    const state = status.state === 'never-run' ? 'never-run' : 'changed';
    result.set(status.address, { ...status, state, reasons });
  }
  return result;
}

/** The stages to report, in topological order: all, or the requested ones and their upstream. */
function selectStages(graph: StatusGraph, addresses: readonly string[] | undefined): Stage[] {
  if (addresses === undefined) return [...graph.stages];
  const wanted = new Set<Stage | undefined>();
  for (const address of addresses) {
    wanted.add(graph.get(address));
    for (const upstream of graph.upstream(address)) wanted.add(graph.get(upstream));
  }
  return graph.stages.filter((stage) => wanted.has(stage));
}
