import { parentPort } from 'node:worker_threads';
import type { HashAlgorithm } from '../../engine/hashing/ports';
import { md5File } from '../hashing/md5File';
import { describeError } from '../../engine/engineError';

/**
 * Worker thread entry (bundled to dist/workers/hashWorker.js): hashes one file per message with
 * large synchronous reads, so big files never block the extension host or the CLI's event loop.
 */
export interface HashRequest {
  readonly id: number;
  readonly path: string;
  readonly algorithm: HashAlgorithm;
}

export type HashResponse =
  | { readonly id: number; readonly md5: string; readonly size: number; readonly mode: number }
  | { readonly id: number; readonly error: { readonly code?: string; readonly message: string } };

parentPort?.on('message', (request: HashRequest) => {
  let response: HashResponse;
  try {
    response = { id: request.id, ...md5File(request.path, request.algorithm) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    response = { id: request.id, error: { code, message: describeError(error) } };
  }
  parentPort?.postMessage(response);
});
