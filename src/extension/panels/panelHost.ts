import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import { type MessageValidators, parseMessage } from '../../protocol/validateMessage';
import { orderedSnapshots } from './orderedSnapshots';
import { buildPanelHtml, createNonce } from './panelHtml';
import { describeError } from '../../engine/engineError';

export interface PanelHostOptions<Update, Action extends { type: string }> {
  readonly panel: vscode.WebviewPanel;
  readonly extensionUri: vscode.Uri;
  /** The bundle's name: `dist/webview/<bundle>.js` and `.css` (from `webview-ui/<bundle>/main.ts`). */
  readonly bundle: string;
  /** The page starts workers from `dist/webview/` bundles of its own (the Pipeline Graph's layout). */
  readonly allowWorkers?: boolean;
  readonly validators: MessageValidators<Action>;
  /** The panel's own actions; `ready` and `reportProblem` are handled here. */
  readonly handlers: MessageHandlers<Exclude<Action, PanelCommonAction>>;
  /** The whole state, sent on `ready` and whenever the panel becomes visible again. */
  readonly snapshot: () => Promise<Update>;
  readonly logger: Logger;
}

/** The webview options every panel uses: scripts on, files only from the webview bundles. */
export function panelWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

/** A new panel in the active editor group (or `column`, e.g. Beside), with the panels' webview options. */
export function createWebviewPanel(
  viewType: string,
  title: string,
  extensionUri: vscode.Uri,
  column: vscode.ViewColumn | { readonly viewColumn: vscode.ViewColumn; readonly preserveFocus?: boolean } = vscode
    .ViewColumn.Active,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, column, panelWebviewOptions(extensionUri));
}

/**
 * One panel's host side: the page with a strict CSP and a fresh nonce, the `ready` handshake
 * answered with a full snapshot, a snapshot again whenever the panel becomes visible (a hidden
 * webview drops messages, so nothing is posted while hidden), and every incoming message checked
 * by the panel's validators before a handler sees it. It routes; it never reads run files.
 */
export class PanelHost<Update, Action extends { type: string }> implements vscode.Disposable {
  private isReady = false;
  private isDisposed = false;
  /** Something changed while the page could not receive it: send a snapshot when it can. */
  private isStale = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private readonly snapshots = orderedSnapshots({
    make: () => this.options.snapshot(),
    deliver: async (update: Update) => {
      if (this.isReady) await this.options.panel.webview.postMessage(update);
    },
    onError: (error) =>
      this.options.logger.error('A panel snapshot failed', {
        bundle: this.options.bundle,
        error: describeError(error),
      }),
  });

  constructor(private readonly options: PanelHostOptions<Update, Action>) {
    const { panel, extensionUri, bundle } = options;
    const webview = panel.webview;
    webview.options = panelWebviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'ml.svg');
    const asset = (extension: string) =>
      webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${bundle}.${extension}`)).toString();
    webview.html = buildPanelHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(randomBytes),
      scriptUri: asset('js'),
      styleUri: asset('css'),
      title: panel.title,
      allowWorkers: options.allowWorkers,
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((value: unknown) => void this.receive(value)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.isReady) void this.sendSnapshot();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get panel(): vscode.WebviewPanel {
    return this.options.panel;
  }

  reveal(): void {
    this.options.panel.reveal();
  }

  /** Whether the page is loaded and shown, so that a posted message arrives. */
  get canReceive(): boolean {
    return this.isReady && this.options.panel.visible;
  }

  /** Posts an update now, or remembers to send a snapshot when the page can receive again. */
  post(update: Update): void {
    if (!this.canReceive) {
      this.isStale = true;
      return;
    }
    void this.options.panel.webview.postMessage(update);
  }

  /** The state changed: a new snapshot now, or when the panel is next visible. */
  refresh(): void {
    if (this.canReceive) void this.sendSnapshot();
    else this.isStale = true;
  }

  /** A snapshot made after this call, posted after every earlier one (orderedSnapshots). */
  sendSnapshot(): Promise<void> {
    this.isStale = false;
    return this.snapshots.request();
  }

  private async receive(value: unknown): Promise<void> {
    const parsed = parseMessage(value, this.options.validators);
    if (!parsed.ok) {
      this.options.logger.warn('A panel message was dropped', { bundle: this.options.bundle, reason: parsed.reason });
      return;
    }
    const message = parsed.message as Action | PanelCommonAction;
    if (message.type === 'ready') {
      this.isReady = true;
      await this.sendSnapshot();
      return;
    }
    if (message.type === 'reportProblem') {
      const problem = message as Extract<PanelCommonAction, { type: 'reportProblem' }>;
      this.options.logger.warn('A panel reported a problem', {
        bundle: this.options.bundle,
        kind: problem.kind,
        message: problem.message,
      });
      return;
    }
    const handlers = this.options.handlers as Readonly<Record<string, (message: unknown) => void | Promise<void>>>;
    try {
      await handlers[message.type]?.(message);
    } catch (error) {
      this.options.logger.error('A panel action failed', {
        bundle: this.options.bundle,
        type: message.type,
        error: describeError(error),
      });
    }
    if (this.isStale && this.canReceive) void this.sendSnapshot();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }
}
