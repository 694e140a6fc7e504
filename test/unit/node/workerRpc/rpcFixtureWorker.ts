// A worker for workerRpc.test.ts: each method shows one behaviour of the channel.
import { serveWorkerRpc, workerRpcLogger } from '../../../../src/node/workerRpc';

const logger = workerRpcLogger();

serveWorkerRpc({
  echo: ({ value }: { value: unknown }) => value,
  count: ({ to, onNumber }: { to: number; onNumber: (n: number) => void }) => {
    for (let n = 1; n <= to; n++) onNumber(n);
    return to;
  },
  /** Answers `value` after `ms`, or `cancelled` as soon as its signal aborts. */
  wait: ({ ms, value }: { ms: number; value: string }, signal: AbortSignal) =>
    new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        logger.info(`cancelled ${value}`);
        resolve('cancelled');
      });
    }),
  fail: () => {
    throw new Error('the input is not a pipeline');
  },
  log: ({ message }: { message: string }) => logger.warn(message, { from: 'worker' }),
  crash: () => process.exit(3),
});
