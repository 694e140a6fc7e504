import * as vscode from 'vscode';
import type { Problem } from '../../engine/problems';
import { DIAGNOSTIC_COLLECTION } from '../ids';
import type { WorkspaceState } from '../state/workspaceState';

const SEVERITY: Readonly<Record<Problem['severity'], vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * The engine's problems in the Problems panel (collection `mlc`), for every pipeline and params
 * file, following unsaved edits (the state reloads with the editors' text).
 */
export function registerPipelineDiagnostics(state: WorkspaceState): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION);
  const update = () => {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of state.views().flatMap((view) => view.problems)) {
      const diagnostics = byFile.get(problem.file) ?? [];
      diagnostics.push(toDiagnostic(problem));
      byFile.set(problem.file, diagnostics);
    }
    collection.clear();
    for (const [file, diagnostics] of byFile) collection.set(vscode.Uri.file(file), diagnostics);
  };
  const subscription = state.onDidChangePipelines(update);
  return vscode.Disposable.from(subscription, collection);
}

function toDiagnostic(problem: Problem): vscode.Diagnostic {
  const start = new vscode.Position(Math.max(problem.line - 1, 0), Math.max(problem.column - 1, 0));
  const end =
    problem.endLine !== undefined && problem.endColumn !== undefined
      ? new vscode.Position(Math.max(problem.endLine - 1, 0), Math.max(problem.endColumn - 1, 0))
      : wordEnd(problem.file, start);
  const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), problem.message, SEVERITY[problem.severity]);
  diagnostic.source = 'mlc';
  diagnostic.code = problem.code;
  return diagnostic;
}

/** Without an end from the engine, underline the word at the start (or one character). */
function wordEnd(file: string, start: vscode.Position): vscode.Position {
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.fsPath === file);
  const range = document?.getWordRangeAtPosition(start, /[^\s:,[\]{}]+/);
  return range?.end ?? start.translate(0, 1);
}
