import * as vscode from 'vscode';
import type { RunRequest } from '../engineServices';
import { formatDuration } from '../presentation';
import type { RunController, RunSink } from './runController';

const toTerminal = (text: string) => text.replace(/\r?\n/g, '\r\n');
const bold = (text: string) => `\x1b[1m${text}\x1b[0m`;
const colour = (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`;

/**
 * A terminal that runs `request` when it opens and shows each stage's output live, prefixed
 * by the stage when several run at once. Closing the terminal stops the run. Used by the run
 * commands (the terminal stays open afterwards) and by tasks (it closes with the exit code).
 */
export function createRunPseudoterminal(
  controller: RunController,
  request: RunRequest,
  options: { readonly closeWhenDone: boolean },
): vscode.Pseudoterminal {
  const writeEmitter = new vscode.EventEmitter<string>();
  const closeEmitter = new vscode.EventEmitter<number | void>();
  const abort = new AbortController();
  let runId: string | undefined;
  let lastStage: string | undefined;
  const write = (text: string) => writeEmitter.fire(toTerminal(text));
  const sink: RunSink = {
    runStarted(id, planned) {
      runId = id;
      write(`${bold(`mlc run ${id}`)}: ${planned.length} stage${planned.length === 1 ? '' : 's'} to run\n`);
    },
    stageStarted(address) {
      lastStage = address;
      write(`\n${colour(36, `▶ ${address}`)}\n`);
    },
    stageOutput(address, text) {
      if (address !== lastStage) {
        lastStage = address;
        write(colour(2, `[${address}]\n`));
      }
      write(text);
    },
    stageFinished(address, status, durationMs) {
      const mark = status === 'succeeded' ? colour(32, '✔') : status === 'skipped' ? colour(2, '↷') : colour(31, '✘');
      write(`${mark} ${address} ${status} (${formatDuration(durationMs)})\n`);
    },
    message(text) {
      write(`${text}\n`);
    },
  };
  return {
    onDidWrite: writeEmitter.event,
    onDidClose: closeEmitter.event,
    open() {
      void controller.run(request, sink, abort.signal).then((outcome) => {
        const succeeded = outcome.status === 'succeeded';
        write(`\n${bold(`Run ${outcome.runId ?? runId ?? ''} ${outcome.status}`)}\n`);
        if (options.closeWhenDone) closeEmitter.fire(succeeded ? 0 : 1);
        writeEmitter.dispose();
      });
    },
    close() {
      abort.abort();
    },
  };
}
