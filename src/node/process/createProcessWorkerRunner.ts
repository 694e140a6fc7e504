import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Disposable } from '../../engine/ports';
import type { ProcessResult, ProcessRunner, ProcessSpec, RunningProcess } from '../../engine/scheduler/ports';
import {
  environmentChanges,
  type ProcessWorkerMessage,
  type ProcessWorkerPost,
  type ProcessWorkerRequest,
} from './processWorkerProtocol';
import { trackStageGroup, untrackStageGroup } from './stageGroups';

interface WorkerLaunch {
  readonly script: string;
  readonly execArgv: string[];
}

/** The bundled worker beside dist/cli.js, else the TypeScript source through tsx (tests, dev). */
export function findProcessWorker(baseDirectory: string = __dirname): WorkerLaunch | undefined {
  const bundled = join(baseDirectory, 'workers', 'processWorker.js');
  if (existsSync(bundled)) return { script: bundled, execArgv: [] };
  const source = join(baseDirectory, '..', 'workers', 'processWorker.ts');
  if (!existsSync(source)) return undefined;
  try {
    return { script: source, execArgv: ['--require', require.resolve('tsx/cjs')] };
  } catch {
    return undefined;
  }
}

/** Beyond this many differing variables a start sends a new base environment instead. */
const MAX_ENVIRONMENT_CHANGES = 32;

interface Tracked {
  readonly spec: ProcessSpec;
  readonly resolve: (result: ProcessResult) => void;
  pid: number | undefined;
}

/**
 * A ProcessRunner that starts commands in a separate small Node process (processWorker), for
 * runs with many stages: see processWorker.ts for why. Same contract as nodeProcessRunner; the
 * worker starts on the first command, and only keeps mlc alive while commands are in flight.
 */
export function createProcessWorkerRunner(
  launch: WorkerLaunch,
): ProcessRunner & Disposable & Required<Pick<ProcessRunner, 'limitConcurrency'>> {
  let child: ChildProcess | undefined;
  /** The base environment this worker was sent; each start sends only its differences from it. */
  let sentEnvironment: Readonly<Record<string, string>> | undefined;
  let nextId = 1;
  const tracked = new Map<number, Tracked>();
  /** limitConcurrency's slots, sent again to a worker started after it (the first one died). */
  let slots: number | undefined;

  const failAll = (reason: string) => {
    for (const [id, entry] of tracked) {
      tracked.delete(id);
      const now = Date.now();
      entry.resolve({
        exitCode: undefined,
        signal: undefined,
        timedOut: false,
        cancelled: false,
        startError: reason,
        startedAt: now,
        endedAt: now,
      });
    }
    child = undefined;
  };
  const refWhileBusy = () => {
    if (!child) return;
    if (tracked.size > 0) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  };
  const handleMessage = (message: ProcessWorkerMessage) => {
    const entry = tracked.get(message.id);
    if (!entry) return;
    // The worker kills its stages when mlc dies; the groups are tracked here as well, so a second
    // Ctrl-C reaches them at once (and mlc's own watchdog covers a worker killed with mlc).
    if (message.type === 'started') {
      entry.pid = message.pid;
      if (message.pid !== undefined) trackStageGroup(message.pid);
      entry.spec.onStarted?.(Date.now());
    } else if (message.type === 'line') entry.spec.onLine?.(message.stream, message.line, message.timestamp);
    else {
      if (entry.pid !== undefined) untrackStageGroup(entry.pid);
      tracked.delete(message.id);
      entry.resolve(message.result);
      refWhileBusy();
    }
  };
  const ensureChild = (): ChildProcess => {
    if (child) return child;
    const started = fork(launch.script, [], {
      execArgv: launch.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    started.on('message', (post: ProcessWorkerPost) => {
      if (post.type !== 'batch') handleMessage(post);
      else for (const message of post.messages) handleMessage(message);
    });
    started.on('exit', (code, signal) => failAll(`the process worker exited (${signal ?? `code ${code}`})`));
    started.on('error', (error) => failAll(`the process worker failed: ${error.message}`));
    child = started;
    sentEnvironment = undefined;
    if (slots !== undefined) started.send({ type: 'slots', slots } satisfies ProcessWorkerRequest);
    return started;
  };
  const send = (request: ProcessWorkerRequest) => ensureChild().send(request);
  const sendStart = (id: number, spec: ProcessSpec) => {
    const { onLine: _onLine, onStarted: _onStarted, env, ...plainSpec } = spec;
    ensureChild();
    let changes = sentEnvironment && environmentChanges(sentEnvironment, env);
    // Another caller's environment (not a stage's few variables more): make it the new base.
    if (!changes || Object.keys(changes.set).length + changes.unset.length > MAX_ENVIRONMENT_CHANGES) {
      send({ type: 'environment', env });
      sentEnvironment = { ...env };
      changes = { set: {}, unset: [] };
    }
    send({ type: 'start', id, spec: plainSpec, env: changes });
  };

  return {
    limitConcurrency(count) {
      slots = count;
      if (child) send({ type: 'slots', slots });
      return true;
    },
    start(spec, signal): RunningProcess {
      const id = nextId++;
      let entry!: Tracked;
      const result = new Promise<ProcessResult>((resolve) => {
        entry = { spec, resolve, pid: undefined };
      });
      tracked.set(id, entry);
      sendStart(id, spec);
      refWhileBusy();
      const onAbort = () => {
        if (tracked.has(id)) child?.send({ type: 'abort', id } satisfies ProcessWorkerRequest);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void result.then(() => signal.removeEventListener('abort', onAbort));
      return {
        get pid() {
          return entry.pid;
        },
        result,
      };
    },
    dispose() {
      child?.disconnect();
      child = undefined;
    },
  };
}
