import { skipsWatching } from '../engine/workspace/watchedPaths';
import { type FolderTreeChange, watchFolderTree } from '../node/workspace/watchFolderTree';
import { type CliContext, ExitCode, workspaceRoot } from './cliContext';
import { describeCommandFailure } from './commandFailure';

/** Changes arriving within this long of the first one make one redraw, not one per file written. */
export const WATCH_DEBOUNCE_MS = 200;

const CLEAR_SCREEN = '\x1b[H\x1b[2J';

export interface WatchFramesOptions {
  /** `--json`: each frame is one line of JSON (NDJSON), with no header. */
  readonly json: boolean;
  /** Whether a change (path relative to the current folder) can alter what a frame shows. */
  readonly isRelevant: (change: FolderTreeChange, relativePath: string) => boolean;
  /**
   * Prints one frame through `context.print`, as the command does without --watch (problems on
   * stderr). In JSON mode the frame is one line.
   */
  readonly draw: () => Promise<unknown>;
}

/**
 * `--watch` for a command that prints a snapshot (`mlc status`, `mlc runs`): draws once, then
 * again whenever a relevant file below the current folder changes, until SIGINT or SIGTERM
 * (`context.signal`), then closes the watchers and exits 0. On a terminal each frame replaces the
 * last (cursor home, clear screen) under a header with the time; piped, frames follow one another
 * separated by a blank line, with no escape codes; with --json, one JSON document per line.
 * What the watcher skips is what discovery skips, `.mlc/cache` included: mlc's own cache writes
 * during a frame must not cause the next one.
 */
export async function watchFrames(
  commandName: string,
  context: CliContext,
  options: WatchFramesOptions,
): Promise<ExitCode> {
  const { signal } = context;
  const onTerminal = process.stdout.isTTY === true && !options.json;
  // The whole workspace: run records and pipelines above a sub-folder cwd count too.
  const root = workspaceRoot(context);
  let framesDrawn = 0;

  const drawFrame = async () => {
    if (!options.json) {
      const header = `Every change — mlc ${commandName} (Ctrl-C to quit)    ${timeOfDay(new Date())}\n`;
      if (onTerminal) process.stdout.write(`${CLEAR_SCREEN}${header}\n`);
      else process.stdout.write(`${framesDrawn > 0 ? '\n' : ''}${header}\n`);
    }
    framesDrawn++;
    // Printed as it comes, after the header, so stderr lines of this frame (problems) stay on screen.
    await options.draw();
  };

  let firstFrameDrawn = false;
  let drawing: Promise<void> | undefined;
  let changedWhileDrawing = false;
  const redraw = () => {
    if (drawing || !firstFrameDrawn) {
      changedWhileDrawing = true;
      return;
    }
    drawing = (async () => {
      do {
        changedWhileDrawing = false;
        try {
          await drawFrame();
        } catch (error) {
          if (signal.aborted) return;
          // A later frame that fails (a stage named on the command line is gone) says why and
          // keeps watching: the next edit may put it right.
          context.printDiagnostic(describeCommandFailure(commandName, error, false).text);
        }
      } while (changedWhileDrawing && !signal.aborted);
    })().finally(() => (drawing = undefined));
  };

  const watcher = watchFolderTree(
    root,
    { skip: (relativePath) => skipsWatching(relativePath, []), coalesceMs: WATCH_DEBOUNCE_MS },
    (changes) => {
      if (changes.some((change) => options.isRelevant(change, change.path.slice(root.length + 1)))) redraw();
    },
  );
  // fs.watch handles do not keep the process alive (persistent: false): this does, until a signal.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    // Watching before the first frame, so nothing changed while it is drawn goes unseen. A first
    // frame that fails (unknown stage, bad usage) ends the command as it would without --watch.
    await watcher.ready;
    try {
      await drawFrame();
    } catch (error) {
      if (signal.aborted) return ExitCode.ok;
      throw error;
    }
    firstFrameDrawn = true;
    if (changedWhileDrawing) redraw();
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    return ExitCode.ok;
  } finally {
    watcher.dispose();
    clearInterval(keepAlive);
  }
}

/** `14:03:27`, local time. */
function timeOfDay(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}
