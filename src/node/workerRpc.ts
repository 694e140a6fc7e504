import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';
import type { Logger } from '../engine/ports';
import { sourceWorkerLaunch, type WorkerLaunch } from './hashing/hashWorkerPool';

/**
 * A typed request/response channel to one long-lived worker thread: the worker serves an object of
 * methods (`serveWorkerRpc`), the host calls them by name (`createWorkerRpcClient`). Every method
 * takes one structured-cloneable argument object and its AbortSignal; functions in that object
 * (one level down too, e.g. a RunListener) become callbacks posted back to the host. Failures come
 * back as values (`{ ok: false, error }`) and reject the call; nothing thrown crosses the channel.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method's argument type is its own
export type WorkerApi = Record<string, (args: any, signal: AbortSignal) => unknown>;

type CallbackRef = { readonly $callback: number };

export type WorkerRpcRequest =
  | { readonly type: 'call'; readonly id: number; readonly method: string; readonly args: unknown }
  | { readonly type: 'cancel'; readonly id: number };

export type WorkerRpcMessage =
  | { readonly type: 'answer'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'answer'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly type: 'callback'; readonly id: number; readonly callback: number; readonly args: readonly unknown[] }
  | {
      readonly type: 'log';
      readonly level: keyof Logger;
      readonly message: string;
      readonly context?: object;
    };

/** The call was superseded by a newer one with the same key: its answer, if any, is dropped. */
export class StaleAnswerError extends Error {
  constructor(method: string) {
    super(`${method}: superseded by a newer request`);
    this.name = 'StaleAnswerError';
  }
}

/** The worker thread stopped (crashed, exited) while the call was waiting; the next call starts a new one. */
export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashedError';
  }
}

export interface WorkerCallOptions {
  /** A newer call with the same key makes this one stale: cancelled in the worker, its answer dropped. */
  readonly supersedes?: string;
  /** Aborting asks the worker to cancel (its signal aborts); the call still waits for the worker's answer. */
  readonly signal?: AbortSignal;
}

export interface WorkerRpcClient<Api extends WorkerApi> {
  call<M extends keyof Api & string>(
    method: M,
    args: Parameters<Api[M]>[0],
    options?: WorkerCallOptions,
  ): Promise<Awaited<ReturnType<Api[M]>>>;
  dispose(): void;
}

export interface WorkerRpcClientOptions {
  readonly name: string;
  readonly launch: WorkerLaunch;
  /** Log lines the worker sends (rpcLogger), and the client's own notice of a crash. */
  readonly logger: Logger;
}

interface Pending {
  readonly method: string;
  readonly callbacks: readonly ((...args: unknown[]) => void)[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** How to start a worker whose entry sits beside the bundle (or, under tsx, beside the source) of `baseDirectory`. */
export function findWorkerBeside(name: string, baseDirectory: string): WorkerLaunch | undefined {
  const bundled = join(baseDirectory, `${name}.js`);
  if (existsSync(bundled)) return { script: bundled, eval: false };
  return sourceWorkerLaunch(join(baseDirectory, `${name}.ts`));
}

export function createWorkerRpcClient<Api extends WorkerApi>(options: WorkerRpcClientOptions): WorkerRpcClient<Api> {
  const { logger, launch, name } = options;
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const latestByKey = new Map<string, number>();
  let disposed = false;

  const settleAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    latestByKey.clear();
  };

  const start = (): Worker => {
    const started = new Worker(launch.script, { eval: launch.eval });
    started.unref();
    started.on('message', (message: WorkerRpcMessage) => {
      if (message.type === 'log') {
        logger[message.level](message.message, message.context);
        return;
      }
      const waiting = pending.get(message.id);
      if (!waiting) return; // a stale or cancelled-and-dropped call: its answer is not wanted
      if (message.type === 'callback') {
        waiting.callbacks[message.callback]?.(...message.args);
        return;
      }
      pending.delete(message.id);
      if (pending.size === 0) started.unref();
      if (message.ok) waiting.resolve(message.result);
      else waiting.reject(new Error(message.error));
    });
    const crashed = (reason: string) => {
      if (worker !== started) return;
      worker = undefined;
      if (disposed) return;
      logger.error(`The ${name} worker stopped; it restarts on the next request`, { reason });
      settleAll(new WorkerCrashedError(`The ${name} worker stopped (${reason}); try again.`));
    };
    started.on('error', (error) => crashed(error.message));
    started.on('exit', (code) => crashed(`exit code ${code}`));
    return started;
  };

  return {
    call(method, args, callOptions = {}) {
      if (disposed) return Promise.reject(new Error(`The ${name} worker was disposed`));
      worker ??= start();
      const current = worker;
      const id = nextId++;
      const callbacks: ((...args: unknown[]) => void)[] = [];
      const marshal = (value: unknown, depth: number): unknown => {
        if (typeof value === 'function') {
          callbacks.push(value as (...args: unknown[]) => void);
          return { $callback: callbacks.length - 1 } satisfies CallbackRef;
        }
        if (
          depth > 0 &&
          value !== null &&
          typeof value === 'object' &&
          Object.getPrototypeOf(value) === Object.prototype
        ) {
          return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, marshal(inner, depth - 1)]));
        }
        return value;
      };
      const key = callOptions.supersedes;
      if (key !== undefined) {
        const previous = latestByKey.get(key);
        const stale = previous === undefined ? undefined : pending.get(previous);
        if (previous !== undefined && stale) {
          pending.delete(previous);
          current.postMessage({ type: 'cancel', id: previous } satisfies WorkerRpcRequest);
          stale.reject(new StaleAnswerError(stale.method));
        }
        latestByKey.set(key, id);
      }
      const answer = new Promise<unknown>((resolve, reject) => {
        pending.set(id, { method, callbacks, resolve, reject });
      });
      current.ref();
      current.postMessage({ type: 'call', id, method, args: marshal(args, 2) } satisfies WorkerRpcRequest);
      const signal = callOptions.signal;
      if (signal) {
        const cancel = () => {
          if (pending.has(id)) current.postMessage({ type: 'cancel', id } satisfies WorkerRpcRequest);
        };
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
      }
      return answer.finally(() => {
        if (key !== undefined && latestByKey.get(key) === id) latestByKey.delete(key);
      }) as Promise<Awaited<ReturnType<Api[typeof method]>>>;
    },
    dispose() {
      disposed = true;
      settleAll(new Error(`The ${name} worker was disposed`));
      void worker?.terminate();
      worker = undefined;
    },
  };
}

/** Serves `api` to the thread that started this worker (call once, in the worker's entry). */
export function serveWorkerRpc(api: WorkerApi): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerRpc runs in a worker thread only');
  const running = new Map<number, AbortController>();
  const unmarshal = (value: unknown, id: number, depth: number): unknown => {
    if (value !== null && typeof value === 'object' && '$callback' in value) {
      const callback = (value as CallbackRef).$callback;
      return (...args: unknown[]) =>
        port.postMessage({ type: 'callback', id, callback, args } satisfies WorkerRpcMessage);
    }
    if (depth > 0 && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unmarshal(inner, id, depth - 1)]));
    }
    return value;
  };
  port.on('message', (request: WorkerRpcRequest) => {
    if (request.type === 'cancel') {
      running.get(request.id)?.abort();
      return;
    }
    const abort = new AbortController();
    running.set(request.id, abort);
    const method = Object.hasOwn(api, request.method) ? api[request.method] : undefined;
    void (async () => {
      try {
        if (!method) throw new Error(`unknown method ${request.method}`);
        const result = await method(unmarshal(request.args, request.id, 2), abort.signal);
        port.postMessage({ type: 'answer', id: request.id, ok: true, result } satisfies WorkerRpcMessage);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        port.postMessage({ type: 'answer', id: request.id, ok: false, error: message } satisfies WorkerRpcMessage);
      } finally {
        running.delete(request.id);
      }
    })();
  });
}

/** A Logger whose lines go to the host's logger (the Output channel in the extension). */
export function workerRpcLogger(): Logger {
  const post = (level: keyof Logger) => (message: string, context?: object) =>
    parentPort?.postMessage({ type: 'log', level, message, context } satisfies WorkerRpcMessage);
  return { debug: post('debug'), info: post('info'), warn: post('warn'), error: post('error') };
}
