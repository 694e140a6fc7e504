import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HashAlgorithm } from '../../engine/hashing/ports';
import type { Md5Result } from './md5File';
import type { HashRequest, HashResponse } from '../workers/hashWorker';

interface PendingTask {
  readonly request: HashRequest;
  readonly resolve: (result: Md5Result) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  task: PendingTask | undefined;
}

/**
 * How to start the hash worker. Bundled code (dist/cli.js, dist/extension.js) finds
 * dist/workers/hashWorker.js beside it. Code running from the TypeScript sources under tsx (unit
 * tests, benchmarks) finds src/node/workers/hashWorker.ts and starts it through tsx's CommonJS
 * hook. Undefined when neither exists; callers then hash in their own thread.
 */
export type WorkerLaunch = { readonly script: string; readonly eval: boolean };

export function findHashWorker(baseDirectory: string = __dirname): WorkerLaunch | undefined {
  return findWorker('hashWorker', baseDirectory);
}

/** The same for any worker of src/node/workers, from the folder of the module that starts it. */
export function findWorker(name: string, baseDirectory: string): WorkerLaunch | undefined {
  const bundled = join(baseDirectory, 'workers', `${name}.js`);
  if (existsSync(bundled)) return { script: bundled, eval: false };
  return sourceWorkerLaunch(join(baseDirectory, '..', 'workers', `${name}.ts`));
}

/** A worker started from its TypeScript source through tsx's CommonJS hook (tests, benchmarks). */
export function sourceWorkerLaunch(source: string): WorkerLaunch | undefined {
  if (!existsSync(source)) return undefined;
  let tsxHook: string;
  try {
    tsxHook = require.resolve('tsx/cjs');
  } catch {
    return undefined;
  }
  return { script: `require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(source)});`, eval: true };
}

export class HashWorkerError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * A small pool of hash workers, started lazily and unreferenced while idle so that an idle pool
 * never keeps the process alive. One file per worker at a time; extra requests queue in order.
 */
export class HashWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PendingTask[] = [];
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly launch: WorkerLaunch,
    private readonly maxWorkers: number,
  ) {}

  hash(path: string, algorithm: HashAlgorithm): Promise<Md5Result> {
    if (this.disposed) return Promise.reject(new Error('The hash worker pool was disposed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, path, algorithm }, resolve, reject });
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const { worker } of this.workers) void worker.terminate();
    this.workers.length = 0;
    for (const task of this.queue.splice(0)) task.reject(new Error('The hash worker pool was disposed.'));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((candidate) => candidate.task === undefined) ?? this.startWorker();
      if (!idle) return;
      const task = this.queue.shift()!;
      idle.task = task;
      idle.worker.ref();
      idle.worker.postMessage(task.request);
    }
  }

  private startWorker(): PoolWorker | undefined {
    if (this.workers.length >= this.maxWorkers) return undefined;
    const worker = new Worker(this.launch.script, { eval: this.launch.eval });
    const entry: PoolWorker = { worker, task: undefined };
    worker.on('message', (response: HashResponse) => {
      const task = entry.task;
      entry.task = undefined;
      worker.unref();
      if (task) {
        if ('error' in response) task.reject(new HashWorkerError(response.error.message, response.error.code));
        else task.resolve({ md5: response.md5, size: response.size, mode: response.mode });
      }
      this.pump();
    });
    worker.on('error', (error) => this.retire(entry, error));
    worker.on('exit', (code) => this.retire(entry, new Error(`The hash worker exited with code ${code}.`)));
    this.workers.push(entry);
    return entry;
  }

  /** A crashed worker fails its task only; the next request starts a fresh worker. */
  private retire(entry: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
    const task = entry.task;
    entry.task = undefined;
    task?.reject(error);
    if (!this.disposed) this.pump();
  }
}
