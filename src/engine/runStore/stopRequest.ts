import { join } from 'pathe';
import type { Clock, FileSystem, Timers } from '../ports';

/**
 * `.mlc/runs/<run-id>/stop-requested`: how `mlc stop` (or another window) asks the process that
 * owns a run to stop it. The owner may be the VS Code extension host, which must never be
 * signalled, so stopping is cooperative: the owner's runPipeline polls for this file and cancels
 * the run exactly as Ctrl-C does, then notes in run.json (`stopRequest`) that it saw the request.
 */
export const STOP_REQUEST_FILE = 'stop-requested';

export interface StopRequest {
  readonly requestedAt: number;
  /** Who asked: the `mlc stop` process (or the window) that wrote the file. */
  readonly by: { readonly pid: number; readonly hostname: string; readonly command: string };
}

/** The request as the owner recorded it in run.json once it noticed it. */
export interface NoticedStopRequest extends StopRequest {
  readonly noticedAt: number;
}

export function formatStopRequest(request: StopRequest): string {
  return `${JSON.stringify(request)}\n`;
}

/**
 * The stop request of a run folder, or undefined when nobody asked. A file that exists but
 * cannot be parsed (written by hand, `touch stop-requested`) still asks to stop: the person
 * meant it, only who asked is unknown.
 */
export function readStopRequest(fs: FileSystem, runDirectory: string, now: number): StopRequest | undefined {
  const path = join(runDirectory, STOP_REQUEST_FILE);
  if (!fs.stat(path)) return undefined;
  try {
    const parsed = JSON.parse(fs.readText(path)) as Partial<StopRequest>;
    if (typeof parsed.requestedAt === 'number' && typeof parsed.by?.pid === 'number') {
      return {
        requestedAt: parsed.requestedAt,
        by: { pid: parsed.by.pid, hostname: String(parsed.by.hostname), command: String(parsed.by.command) },
      };
    }
  } catch {
    // Unreadable or removed since the stat: fall through to an anonymous request if it still exists.
  }
  return fs.stat(path) ? { requestedAt: now, by: { pid: 0, hostname: 'unknown', command: 'unknown' } } : undefined;
}

/** How often the owner of a live run looks for a stop request (a stat of one path). */
export const STOP_REQUEST_POLL_MS = 250;

export interface StopRequestWatch {
  /** Aborted when `outer` aborts or a stop request appears. */
  readonly signal: AbortSignal;
  /** The request that stopped the run, once one was noticed. */
  readonly request: () => StopRequest | undefined;
  dispose(): void;
}

/**
 * Polls the run folder for a stop request every 250 ms (a timer, never blocking the owner's
 * event loop, so it works the same inside the extension host). On a request, `onRequest` runs
 * once (the caller records it) and the returned signal aborts.
 */
export function watchStopRequest(
  fs: FileSystem,
  runDirectory: string,
  time: { readonly clock: Clock; readonly timers: Timers },
  outer: AbortSignal,
  onRequest: (request: StopRequest) => void,
): StopRequestWatch {
  const controller = new AbortController();
  let noticed: StopRequest | undefined;
  const onOuterAbort = () => controller.abort(outer.reason);
  if (outer.aborted) controller.abort(outer.reason);
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  const check = () => {
    if (noticed || controller.signal.aborted) return;
    const request = readStopRequest(fs, runDirectory, time.clock.now());
    if (!request) return;
    noticed = request;
    time.timers.clear(timer);
    onRequest(request);
    controller.abort(new Error('stop requested'));
  };
  const timer = time.timers.setInterval(check, STOP_REQUEST_POLL_MS);
  check();
  return {
    signal: controller.signal,
    request: () => noticed,
    dispose() {
      time.timers.clear(timer);
      outer.removeEventListener('abort', onOuterAbort);
    },
  };
}
