import { join } from 'node:path';
import type { FileSystem } from '../../engine/ports';
import type { Problem } from '../../engine/problems';
import { describeStagePlacement } from '../../engine/runners/stagePlacement';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import type { RunSummary } from '../../engine/runs/model';
import { isOwnerAlive } from '../runStore/isOwnerAlive';

/** The bytes of a log the details show at most (its end), and the lines kept of them. */
const LOG_TAIL_BYTES = 64 * 1024;
const LOG_TAIL_LINES = 200;

export interface RunDetailsStageResult {
  readonly address: string;
  readonly status: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly exitCode?: number;
  /** Why it failed or was skipped. */
  readonly detail?: string;
  /** Where it ran when not on this machine (runner, host, Slurm job id, pending reason). */
  readonly where?: string;
  readonly outs: Readonly<Record<string, string>>;
  readonly deps: Readonly<Record<string, string>>;
  /** Absolute path. */
  readonly logFile: string;
}

export interface RunDetailsResult {
  readonly run: RunSummary | undefined;
  /** Why the run ended as it did, from mlc's record (`cancelled by SIGINT`, a stage's failure). */
  readonly reason?: string;
  readonly targets: readonly string[];
  readonly runner?: string;
  readonly stages: readonly RunDetailsStageResult[];
  readonly logs: readonly { readonly file: string; readonly lines: readonly string[]; readonly truncated: boolean }[];
  readonly problems: readonly Problem[];
}

/** The last lines of a file, read from its end only. */
export function readLogTail(fs: FileSystem, file: string): { lines: string[]; truncated: boolean } | undefined {
  const size = fs.stat(file)?.size;
  if (size === undefined) return undefined;
  const start = Math.max(0, size - LOG_TAIL_BYTES);
  let text = new TextDecoder().decode(fs.readRange(file, start, size - start));
  // A partial first line (cut by the byte window) is dropped rather than shown half.
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { lines: lines.slice(-LOG_TAIL_LINES), truncated: start > 0 || lines.length > LOG_TAIL_LINES };
}

/**
 * Everything the Run Details panel shows about one run: the summary from the index and, for mlc's
 * own runs, the record's stages (states, durations, failures, hashes) and the tail of each stage
 * log. Runs in the worker, so the extension host never reads run files.
 */
export function readRunDetails(fs: FileSystem, run: RunSummary | undefined): RunDetailsResult {
  const empty = { targets: [], stages: [], logs: [], problems: run?.problems ?? [] };
  if (!run || run.source !== 'mlc') return { run, ...empty };
  const parsed = readRunRecord(fs, run.location, isOwnerAlive);
  const record = parsed.value;
  if (!record) return { run, ...empty, problems: [...empty.problems, ...parsed.problems] };
  const failed = record.stages.find((stage) => stage.failure);
  const stages = record.stages.map((stage): RunDetailsStageResult => ({
    address: stage.address,
    status: stage.status,
    startedAt: stage.startedAt,
    endedAt: stage.endedAt,
    durationMs: stage.durationMs,
    exitCode: stage.exitCode,
    detail: stage.failure?.message ?? stage.skipReason,
    where: describeStagePlacement(stage),
    outs: stage.outs ?? {},
    deps: stage.deps ?? {},
    logFile: join(run.location, stage.logFile),
  }));
  const logs = stages.flatMap((stage) => {
    const tail = readLogTail(fs, stage.logFile);
    return tail ? [{ file: stage.logFile, ...tail }] : [];
  });
  return {
    run,
    reason: record.message ?? (failed ? `${failed.address}: ${failed.failure!.message}` : undefined),
    targets: record.targets,
    runner: record.options.runner,
    stages,
    logs,
    problems: [...empty.problems, ...parsed.problems],
  };
}
