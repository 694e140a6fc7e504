import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { TargetEntry } from './lifecycleController';
import type { LifecycleServices } from './lifecycleServices';
import { recordedServerLogText } from './recordedServerLog';

export const REMOTE_SERVER_LOG_SCHEME = 'mlc-server-log';

/** `mlc-server-log:/<target>/<log file name>`: names a log by its target, never by a path. */
export function remoteServerLogUri(target: string, logFile: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: REMOTE_SERVER_LOG_SCHEME,
    path: `/${encodeURIComponent(target)}/${encodeURIComponent(basename(logFile))}`,
  });
}

/** Read-only documents of server logs that live on an ssh host, read over ssh when opened. */
export class RemoteServerLogs implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly findTarget: (name: string) => TargetEntry | undefined,
    private readonly services: Pick<LifecycleServices, 'serverLogTail'>,
  ) {}

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> | string {
    const [target, name] = uri.path.split('/').slice(1).map(decodeURIComponent);
    const entry = target === undefined ? undefined : this.findTarget(target);
    if (!entry || name === undefined) return `No deploy target ${target ?? ''} is declared in this workspace.\n`;
    return recordedServerLogText(entry, name, this.services, new Date());
  }
}
