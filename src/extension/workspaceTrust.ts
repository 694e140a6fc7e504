import * as vscode from 'vscode';

export const MANAGE_TRUST_BUTTON = 'Manage Workspace Trust';

/**
 * The gate in front of everything that executes pipeline code (run commands, CodeLens, tasks).
 * In Restricted Mode it explains why nothing runs and offers to manage trust; returns whether
 * the caller may go on.
 */
export function ensureTrusted(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      `mlc cannot ${action} in Restricted Mode: running a pipeline executes the commands written in this workspace. Trust the workspace to run pipelines; pipelines and runs stay visible read-only meanwhile.`,
      MANAGE_TRUST_BUTTON,
    )
    .then((choice) => {
      if (choice === MANAGE_TRUST_BUTTON) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
