import {
  applyEnvironmentChanges,
  type ProcessWorkerMessage,
  type ProcessWorkerPost,
  type ProcessWorkerRequest,
} from '../process/processWorkerProtocol';
import { startProcess } from '../process/nodeProcessRunner';
import { createStartQueue, notStartedResult, type QueuedStart } from '../../engine/scheduler/startQueue';
import type { ProcessSpec } from '../../engine/scheduler/ports';

/**
 * Child-process entry (bundled to dist/workers/processWorker.js) that starts stage commands for
 * a big run. Node forks by copying the parent's page tables, so spawning from this small process
 * costs a fraction of spawning from mlc itself once mlc holds a large pipeline in memory. When
 * mlc goes away (even kill -9), the IPC channel closes and every stage still running is killed.
 */
const running = new Map<number, AbortController>();
/** Starts beyond mlc's -j wait here, so a freed slot starts the next stage without asking mlc. */
const queue = createStartQueue();
const waiting = new Map<number, QueuedStart>();
/** The environment mlc sent last: each start names only its differences from it. */
let environment: Readonly<Record<string, string>> = {};
const pending = new Set<Promise<unknown>>();

/** Messages of this turn not yet written (see ProcessWorkerPost). */
let outgoing: ProcessWorkerMessage[] = [];

/**
 * Queues a message for mlc; the turn's messages go out together once the code that sent them has
 * run (a microtask: a stage's result and the next stage's `started` share one write).
 */
const send = (message: ProcessWorkerMessage) => {
  if (outgoing.length === 0) queueMicrotask(flush);
  outgoing.push(message);
};

/**
 * mlc can die (kill -9) before this process has read the end of the channel: `connected` is
 * still true and the write fails with EPIPE. Without a callback Node raises that as an unhandled
 * 'error' event and this process dies on the spot, before its 'disconnect' handler can kill the
 * stages; so a failed send means mlc is gone, and is handled as such.
 */
function flush(): void {
  const messages = outgoing;
  outgoing = [];
  if (messages.length === 0 || !process.connected) return;
  const post: ProcessWorkerPost = messages.length === 1 ? messages[0]! : { type: 'batch', messages };
  process.send?.(post, undefined, undefined, (error) => error && stopAll());
}

process.on('message', (request: ProcessWorkerRequest) => {
  if (request.type === 'abort') {
    const queued = waiting.get(request.id);
    if (queued && queue.remove(queued)) queued.drop();
    else running.get(request.id)?.abort();
    return;
  }
  if (request.type === 'environment') {
    environment = request.env;
    return;
  }
  if (request.type === 'slots') {
    queue.setSlots(request.slots);
    return;
  }
  const { id } = request;
  // The environment as it is now: a later `environment` message is for later starts.
  const env = applyEnvironmentChanges(environment, request.env);
  const queued: QueuedStart = {
    ahead: request.spec.ahead === true,
    start: () => {
      waiting.delete(id);
      startNow(id, { ...request.spec, env });
    },
    drop: () => {
      waiting.delete(id);
      send({ type: 'result', id, result: notStartedResult(Date.now()) });
    },
  };
  waiting.set(id, queued);
  queue.submit(queued);
});

function startNow(id: number, spec: Omit<ProcessSpec, 'onLine' | 'onStarted'>): void {
  const abort = new AbortController();
  running.set(id, abort);
  const started = startProcess(
    { ...spec, onLine: (stream, line, timestamp) => send({ type: 'line', id, stream, line, timestamp }) },
    abort.signal,
  );
  send({ type: 'started', id, pid: started.pid });
  const done = started.result.then((result) => {
    running.delete(id);
    const succeeded = result.exitCode === 0 && !result.cancelled && !result.timedOut;
    // A success frees its slot for the next start before mlc hears of it (mlc then never sees
    // more than -j stages running); a failure is told first, and what was handed ahead is dropped.
    if (succeeded) queue.ended(true);
    send({ type: 'result', id, result });
    if (!succeeded) queue.ended(false);
  });
  pending.add(done);
  void done.then(() => pending.delete(done));
}

function stopAll(): void {
  // What has not started never will: mlc is gone or asked the worker to end.
  queue.clear();
  waiting.clear();
  for (const abort of running.values()) abort.abort();
  void Promise.all(pending).then(() => process.exit(0));
}
process.on('disconnect', stopAll);
process.on('SIGTERM', stopAll);
// Ctrl-C in a terminal reaches the whole foreground process group, this worker included: mlc
// handles it (and tells this worker which stages to kill), so the worker must not die first.
process.on('SIGINT', () => undefined);
