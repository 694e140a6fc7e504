import type { OutputStream, ProcessResult, ProcessSpec } from '../../engine/scheduler/ports';

/**
 * A command's environment as the worker is told it: the variables that differ from the base
 * environment it was sent last (`environment`), and those the command does not have. Every stage
 * of a run shares the caller's environment and differs in a few variables (MLC_STAGE, its `env`),
 * so the whole environment crosses the pipe once, not once per stage.
 */
export interface EnvironmentChanges {
  readonly set: Readonly<Record<string, string>>;
  readonly unset: readonly string[];
}

/** Messages between mlc and its process worker (src/node/workers/processWorker.ts), over Node IPC. */
export type ProcessWorkerRequest =
  | { readonly type: 'environment'; readonly env: Readonly<Record<string, string>> }
  /** At most this many commands at once (ProcessRunner.limitConcurrency); the rest wait in the worker. */
  | { readonly type: 'slots'; readonly slots: number }
  | {
      readonly type: 'start';
      readonly id: number;
      readonly spec: Omit<ProcessSpec, 'onLine' | 'onStarted' | 'env'>;
      readonly env: EnvironmentChanges;
    }
  | { readonly type: 'abort'; readonly id: number };

export type ProcessWorkerMessage =
  | { readonly type: 'started'; readonly id: number; readonly pid: number | undefined }
  | {
      readonly type: 'line';
      readonly id: number;
      readonly stream: OutputStream;
      readonly line: string;
      readonly timestamp: number;
    }
  | { readonly type: 'result'; readonly id: number; readonly result: ProcessResult };

/**
 * What the worker writes to the channel: a message, or every message of one turn of its event
 * loop in order (a stage's result and the next stage's start, the lines of one chunk of output),
 * so that mlc is written to, and woken, once per turn rather than once per message.
 */
export type ProcessWorkerPost =
  ProcessWorkerMessage | { readonly type: 'batch'; readonly messages: readonly ProcessWorkerMessage[] };

/** What turns `base` into `env`. */
export function environmentChanges(
  base: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
): EnvironmentChanges {
  const set: Record<string, string> = {};
  for (const name of Object.keys(env))
    if (base[name] !== env[name] || !Object.hasOwn(base, name)) set[name] = env[name]!;
  const unset = Object.keys(base).filter((name) => !Object.hasOwn(env, name));
  return { set, unset };
}

/** The command's whole environment again, on the worker's side. */
export function applyEnvironmentChanges(
  base: Readonly<Record<string, string>>,
  changes: EnvironmentChanges,
): Record<string, string> {
  const env = { ...base, ...changes.set };
  for (const name of changes.unset) delete env[name];
  return env;
}
