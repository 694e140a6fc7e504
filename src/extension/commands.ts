import * as vscode from 'vscode';
import type { RunSummary } from '../engine/runs/model';
import type { EngineServices, RunOutcome, RunRequest } from './engineServices';
import { CommandId } from './ids';
import { isPipelineFileName } from '../engine/pipeline/pipelineFileNames';
import type { RunPanels } from './panels/runPanels';
import { presentState } from './presentation';
import type { RunController } from './running/runController';
import { createRunPseudoterminal } from './running/runPseudoterminal';
import type { StageInfo, WorkspaceState } from './state/workspaceState';
import type { PipelineTreeElement } from './views/pipelinesTreeProvider';
import { ensureTrusted } from './workspaceTrust';

const NO_STAGE_MESSAGE =
  'No pipeline stage found: add a stage to an mlc.yaml or dvc.yaml file (or an MLproject entry point).';

interface CommandDependencies {
  readonly state: WorkspaceState;
  readonly controller: RunController;
  readonly engine: EngineServices;
  readonly panels: RunPanels;
}

/** Saves open pipeline files, since a run reads them from disk. */
async function savePipelineDocuments(): Promise<void> {
  const dirty = vscode.workspace.textDocuments.filter(
    (document) => document.isDirty && isPipelineFileName(document.uri.path.split('/').at(-1) ?? ''),
  );
  await Promise.all(dirty.map((document) => document.save()));
}

export function runInTerminal(controller: RunController, request: RunRequest, name: string): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const finished = controller.onDidFinishRun((outcome) => {
      finished.dispose();
      resolve(outcome);
    });
    const terminal = vscode.window.createTerminal({
      name,
      iconPath: new vscode.ThemeIcon('run-all'),
      pty: createRunPseudoterminal(controller, request, { closeWhenDone: false }),
    });
    terminal.show(true);
  });
}

async function pickRoot(state: WorkspaceState): Promise<string | undefined> {
  const roots = state.views().map((view) => view.root);
  if (roots.length <= 1) return roots[0] ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return vscode.window.showQuickPick(roots, { placeHolder: 'Run the pipelines of which folder?' });
}

async function pickStage(state: WorkspaceState): Promise<StageInfo | undefined> {
  await state.whenIdle();
  const stages = state.stages();
  if (stages.length === 0) {
    void vscode.window.showInformationMessage(NO_STAGE_MESSAGE);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    stages.map((info) => ({
      label: `$(${presentState(info.state).icon}) ${info.entry.address}`,
      description: presentState(info.state).label,
      detail: info.reasons[0] ?? info.entry.stage.desc,
      info,
    })),
    { placeHolder: 'Run which stage?', matchOnDescription: true },
  );
  return picked?.info;
}

/** A run id from a command argument: an id, or a run from the Runs view. */
const runIdOf = (target: unknown): string | undefined =>
  typeof target === 'string' ? target : (target as RunSummary | undefined)?.id;

/** Run ids from a command's arguments: the Runs view's (clicked run, selected runs), a list, or one. */
function runIdsOf(target: unknown, selected: unknown): string[] {
  const targets = Array.isArray(selected) ? selected : Array.isArray(target) ? target : [target];
  return targets.map(runIdOf).filter((runId): runId is string => runId !== undefined);
}

/** The commands; each returns what a test can await (the run's outcome, the opened editor or panel). */
export function registerCommands({ state, controller, engine, panels }: CommandDependencies): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(CommandId.runPipeline, async (target?: PipelineTreeElement | vscode.Uri) => {
      if (!ensureTrusted('run the pipeline')) return undefined;
      await savePipelineDocuments();
      const file =
        target instanceof vscode.Uri ? target.fsPath : target?.kind === 'pipeline' ? target.pipeline.file : undefined;
      await state.whenIdle();
      if (state.stages().length === 0) {
        void vscode.window.showInformationMessage(NO_STAGE_MESSAGE);
        return undefined;
      }
      const root = file ? state.rootOf(file) : await pickRoot(state);
      if (!root) return undefined;
      const targets = file ? state.stagesOfFile(file).map((info) => info.entry.address) : [];
      const name = file ? `mlc: ${file.slice(root.length + 1)}` : 'mlc: pipeline';
      return runInTerminal(controller, state.runRequest(root, targets), name);
    }),
    vscode.commands.registerCommand(CommandId.runStage, async (target?: string | PipelineTreeElement) => {
      if (!ensureTrusted('run a stage')) return undefined;
      await savePipelineDocuments();
      await state.whenIdle();
      const address =
        typeof target === 'string' ? target : target?.kind === 'stage' ? target.info.entry.address : undefined;
      const info = address
        ? state.stages().find((candidate) => candidate.entry.address === address)
        : await pickStage(state);
      if (!info) return undefined;
      return runInTerminal(controller, state.runRequest(info.root, [info.entry.address]), `mlc: ${info.entry.address}`);
    }),
    vscode.commands.registerCommand(CommandId.stopRun, async (target?: RunSummary) => {
      const runId = target?.id;
      if (controller.stop(runId) > 0) return true;
      if (target && target.status === 'running') {
        const root = state.rootOf(target.location);
        if (root && (await engine.stopRun(root, target.id))) return true;
      }
      void vscode.window.showInformationMessage('No mlc run is in progress.');
      return false;
    }),
    vscode.commands.registerCommand(CommandId.refresh, async () => {
      state.refreshAll();
      await state.whenIdle();
    }),
    vscode.commands.registerCommand(CommandId.openStage, async (target?: string | PipelineTreeElement) => {
      const address =
        typeof target === 'string' ? target : target?.kind === 'stage' ? target.info.entry.address : undefined;
      const info = state.stages().find((candidate) => candidate.entry.address === address);
      if (!info) return undefined;
      const { line, column } = info.entry.stage.position;
      const position = new vscode.Position(Math.max(line - 1, 0), Math.max(column - 1, 0));
      return vscode.window.showTextDocument(vscode.Uri.file(info.entry.stage.pipelineFile), {
        selection: new vscode.Range(position, position),
        preview: true,
      });
    }),
    vscode.commands.registerCommand(CommandId.showRun, async (target?: string | RunSummary) => {
      const runId = runIdOf(target);
      return runId ? panels.openRun(runId) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.showRuns, () => panels.showRunHistory()),
    // From the Runs view with several runs selected: (clicked run, all selected runs).
    vscode.commands.registerCommand(CommandId.compareRuns, (target?: unknown, selected?: unknown) =>
      panels.compareRuns(runIdsOf(target, selected)),
    ),
    // The palette (no argument), the Runs view (selection), a CodeLens or a panel (run ids).
    vscode.commands.registerCommand(CommandId.showMetrics, (target?: unknown, selected?: unknown) =>
      panels.showCharts(runIdsOf(target, selected)),
    ),
  );
}
