import * as vscode from 'vscode';
import { formatRunDetails } from '../formatRunDetails';
import { RUN_DOCUMENT_SCHEME } from '../ids';
import type { WorkspaceState } from '../state/workspaceState';

/** `mlc-run:/<run id>.md`: a read-only Markdown document with what `mlc show` prints. */
export function runDocumentUri(runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RUN_DOCUMENT_SCHEME, path: `/${encodeURIComponent(runId)}.md` });
}

export class RunDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: WorkspaceState) {
    // Open details of a running run follow its progress.
    this.subscription = state.onDidChangeRuns(() => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme === RUN_DOCUMENT_SCHEME) this.changed.fire(document.uri);
      }
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const runId = decodeURIComponent(uri.path.replace(/^\//, '').replace(/\.md$/, ''));
    const run = this.state.runs().find((candidate) => candidate.id === runId);
    if (!run) return `# Run ${runId}\n\nThis run is no longer in the run list. Refresh the Runs view.\n`;
    return formatRunDetails(run, Date.now());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
