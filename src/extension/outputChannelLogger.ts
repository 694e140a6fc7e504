import * as vscode from 'vscode';
import type { Logger } from '../engine/ports';
import { LOG_CHANNEL_NAME } from './ids';

/**
 * The Logger port on a LogOutputChannel ("ML Lifecycle"), so levels follow VS Code's log level;
 * `show` reveals it (ML: Show Logs).
 */
export function createOutputChannelLogger(): Logger & vscode.Disposable & { show(): void } {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const format = (message: string, context?: object) => (context ? `${message} ${JSON.stringify(context)}` : message);
  return {
    debug: (message, context) => channel.debug(format(message, context)),
    info: (message, context) => channel.info(format(message, context)),
    warn: (message, context) => channel.warn(format(message, context)),
    error: (message, context) => channel.error(format(message, context)),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
