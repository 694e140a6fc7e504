import * as vscode from 'vscode';
import { isAbsolute, join } from 'pathe';
import { pathTokenAt } from '../pipelineTextContext';
import type { WorkspaceState } from '../state/workspaceState';

/**
 * Go to definition on a dependency, output, metrics, plots or params path in a pipeline file:
 * opens the file. Paths resolve against the enclosing stage's wdir (else the file's folder);
 * folders and files that do not exist yet give no definition.
 */
export class PipelinePathDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly state: WorkspaceState) {}

  async provideDefinition(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Location[]> {
    const token = pathTokenAt(document.lineAt(position.line).text, position.character);
    if (!token) return [];
    const folder = document.uri.fsPath.slice(0, document.uri.fsPath.lastIndexOf('/'));
    const enclosing = this.state
      .stagesOfFile(document.uri.fsPath)
      .filter((info) => info.entry.stage.position.line - 1 <= position.line)
      .sort((left, right) => right.entry.stage.position.line - left.entry.stage.position.line)[0];
    const bases = [...new Set([enclosing?.entry.stage.wdir, folder].filter((base): base is string => !!base))];
    for (const base of bases) {
      const target = isAbsolute(token.path) ? token.path : join(base, token.path);
      try {
        const stat = await vscode.workspace.fs.stat(vscode.Uri.file(target));
        if (stat.type & vscode.FileType.File) {
          return [new vscode.Location(vscode.Uri.file(target), new vscode.Position(0, 0))];
        }
      } catch {
        // Not there from this base: an output not produced yet, or a path relative to the other base.
      }
    }
    return [];
  }
}
