import {
  applyEnvironmentChanges,
  type ProcessWorkerMessage,
  type ProcessWorkerRequest,
} from '../process/processWorkerProtocol';
import { startProcess } from '../process/nodeProcessRunner';

/**
 * Child-process entry (bundled to dist/workers/processWorker.js) that starts stage commands for
 * a big run. Node forks by copying the parent's page tables, so spawning from this small process
 * costs a fraction of spawning from mlc itself once mlc holds a large pipeline in memory. When
 * mlc goes away (even kill -9), the IPC channel closes and every stage still running is killed.
 */
const running = new Map<number, AbortController>();
/** The environment mlc sent last: each start names only its differences from it. */
let environment: Readonly<Record<string, string>> = {};
const pending = new Set<Promise<unknown>>();

/**
 * mlc can die (kill -9) before this process has read the end of the channel: `connected` is
 * still true and the write fails with EPIPE. Without a callback Node raises that as an unhandled
 * 'error' event and this process dies on the spot, before its 'disconnect' handler can kill the
 * stages; so a failed send means mlc is gone, and is handled as such.
 */
const send = (message: ProcessWorkerMessage) => {
  if (process.connected) process.send?.(message, undefined, undefined, (error) => error && stopAll());
};

process.on('message', (request: ProcessWorkerRequest) => {
  if (request.type === 'abort') {
    running.get(request.id)?.abort();
    return;
  }
  if (request.type === 'environment') {
    environment = request.env;
    return;
  }
  const abort = new AbortController();
  running.set(request.id, abort);
  const started = startProcess(
    {
      ...request.spec,
      env: applyEnvironmentChanges(environment, request.env),
      onLine: (stream, line, timestamp) => send({ type: 'line', id: request.id, stream, line, timestamp }),
    },
    abort.signal,
  );
  send({ type: 'started', id: request.id, pid: started.pid });
  const done = started.result.then((result) => {
    running.delete(request.id);
    send({ type: 'result', id: request.id, result });
  });
  pending.add(done);
  void done.then(() => pending.delete(done));
});

function stopAll(): void {
  for (const abort of running.values()) abort.abort();
  void Promise.all(pending).then(() => process.exit(0));
}
process.on('disconnect', stopAll);
process.on('SIGTERM', stopAll);
// Ctrl-C in a terminal reaches the whole foreground process group, this worker included: mlc
// handles it (and tells this worker which stages to kill), so the worker must not die first.
process.on('SIGINT', () => undefined);
