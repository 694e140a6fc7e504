import * as vscode from 'vscode';
import type { EngineServices } from '../engineServices';
import { CommandId, ViewId } from '../ids';
import type { RunController } from '../running/runController';
import type { WorkspaceState } from '../state/workspaceState';
import type { PipelineTreeElement } from './pipelinesTreeProvider';
import { RunnerChecks } from './runnerChecks';
import { declaredRunners, runnersUsedBy } from './runnersViewModel';

/**
 * The runners' reachability: "ML: Check Runners" checks every declared ssh and slurm runner, and
 * a run that starts checks the runners its stages use. Never in Restricted Mode: a check runs the
 * user's ssh with options (ssh_config, identity_file) taken from the workspace's mlc.yaml.
 */
export function registerRunners(
  state: WorkspaceState,
  controller: RunController,
  engine: EngineServices,
): { readonly checks: RunnerChecks; readonly disposable: vscode.Disposable } {
  const checks = new RunnerChecks((placement) => engine.checkRunner(placement));
  // From a runner's inline button: that runner; from the palette or the Runners group: all.
  const checkAllDeclared = async (element?: PipelineTreeElement) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('This workspace is not trusted: mlc checks no runners in Restricted Mode.');
      return;
    }
    const runners =
      element?.kind === 'runner' ? [element.runner] : state.views().flatMap((view) => declaredRunners(view.pipelines));
    if (runners.length === 0) {
      void vscode.window.showInformationMessage('No ssh or slurm runner is declared under runners: in mlc.yaml.');
      return;
    }
    await vscode.window.withProgress({ location: { viewId: ViewId.pipelines }, title: 'Checking runners' }, () =>
      checks.checkAll(runners),
    );
  };
  const disposable = vscode.Disposable.from(
    vscode.commands.registerCommand(CommandId.checkRunners, checkAllDeclared),
    controller.onDidStartRun(({ request, planned }) => {
      const view = state.views().find((candidate) => candidate.root === request.root);
      if (!view || !vscode.workspace.isTrusted) return;
      void checks.checkAll(runnersUsedBy(view.pipelines, view.stages, planned, request.defaultRunner));
    }),
  );
  return { checks, disposable };
}
