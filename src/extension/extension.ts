import * as vscode from 'vscode';
import { registerCommands, runInTerminal, savePipelineDocuments } from './commands';
import { createEngineServices } from './createEngineServices';
import { registerPipelineDiagnostics } from './editor/pipelineDiagnostics';
import { ParamCompletionProvider } from './editor/paramCompletionProvider';
import { PipelinePathDefinitionProvider } from './editor/pipelinePathDefinitionProvider';
import { StageCodeLensProvider } from './editor/stageCodeLensProvider';
import { StageHoverProvider } from './editor/stageHoverProvider';
import { type MlcExtensionApi, snapshotTree } from './extensionApi';
import { CommandId, ContextKey, PIPELINE_FILE_GLOB, TASK_TYPE, ViewId } from './ids';
import { createOutputChannelLogger } from './outputChannelLogger';
import { PipelineGraphPanels } from './panels/pipelineGraphPanel';
import { RunPanels } from './panels/runPanels';
import { RunController } from './running/runController';
import { createAlertStatus } from './running/alertStatus';
import { registerSetupCommands } from './setupCommands';
import { createRunStatusBar } from './running/runStatusBar';
import { StageTaskProvider } from './running/stageTaskProvider';
import { onDidChangeSettings, readSettings } from './settings';
import { WorkspaceState } from './state/workspaceState';
import { registerLifecycle } from './lifecycle/registerLifecycle';
import { watchWorkspace } from './state/workspaceWatchers';
import { PipelinesTreeProvider } from './views/pipelinesTreeProvider';
import { registerRunners } from './views/registerRunners';
import { RunsTreeProvider } from './views/runsTreeProvider';

const RESTRICTED_MESSAGE = 'Restricted Mode: read-only. Trust this workspace to run pipelines.';

/**
 * Composition root: builds the services and registers every feature. Nothing here reads the
 * workspace: the first load is scheduled after activate() returns (see ARCHITECTURE.md,
 * "The extension host never blocks").
 */
export function activate(context: vscode.ExtensionContext): MlcExtensionApi {
  const started = performance.now();
  const logger = createOutputChannelLogger();
  const engine = createEngineServices({ logger });
  const state = new WorkspaceState(engine, logger);
  const controller = new RunController(engine, logger);
  const runners = registerRunners(state, controller, engine);
  const pipelinesTree = new PipelinesTreeProvider(state, runners.checks);
  const runsTree = new RunsTreeProvider(state);
  const statusBar = createRunStatusBar(controller);
  const codeLenses = new StageCodeLensProvider(state);
  const panels = new RunPanels({
    extensionUri: context.extensionUri,
    engine,
    logger,
    onDidChangeRuns: state.onDidChangeRuns,
    onDidFireAlert: controller.onDidFireAlert,
    reloadRuns: () => state.runsDidChange(),
    rerun: (root, targets) => runInTerminal(controller, state.runRequest(root, targets, true), 'mlc: rerun'),
    stagesOf: (root) =>
      state
        .views()
        .find((view) => view.root === root)
        ?.stages.map((entry) => entry.stage) ?? [],
  });
  const alertStatus = createAlertStatus(controller, (runId) => panels.showCharts([runId]), state);
  const pipelineGraph = new PipelineGraphPanels({
    extensionUri: context.extensionUri,
    state,
    logger,
    openStage: (address) => Promise.resolve(vscode.commands.executeCommand(CommandId.openStage, address)),
    runStages: async (root, targets, name) => {
      await savePipelineDocuments();
      return runInTerminal(controller, state.runRequest(root, targets), name);
    },
  });
  const pipelineFiles: vscode.DocumentSelector = { scheme: 'file', pattern: PIPELINE_FILE_GLOB };

  const pipelinesView = vscode.window.createTreeView(ViewId.pipelines, {
    treeDataProvider: pipelinesTree,
    showCollapseAll: true,
  });
  const runsView = vscode.window.createTreeView(ViewId.runs, { treeDataProvider: runsTree, canSelectMany: true });
  const showTrust = () => {
    const message = vscode.workspace.isTrusted ? undefined : RESTRICTED_MESSAGE;
    pipelinesView.message = message;
    runsView.message = message;
  };
  showTrust();
  let shownHasStages: boolean | undefined;
  const lifecycle = registerLifecycle({
    extensionUri: context.extensionUri,
    state,
    logger,
    services: engine.lifecycle,
  });

  context.subscriptions.push(
    logger,
    { dispose: () => engine.dispose() },
    state,
    controller,
    pipelinesTree,
    runsTree,
    statusBar,
    alertStatus,
    pipelinesView,
    runsView,
    panels,
    pipelineGraph,
    registerCommands({ state, controller, engine, panels, pipelineGraph }),
    runners.disposable,
    registerSetupCommands(engine),
    vscode.commands.registerCommand(CommandId.showLogs, () => logger.show()),
    watchWorkspace(state),
    registerPipelineDiagnostics(state),
    codeLenses,
    vscode.languages.registerCodeLensProvider(pipelineFiles, codeLenses),
    vscode.languages.registerHoverProvider(pipelineFiles, new StageHoverProvider(state)),
    vscode.languages.registerDefinitionProvider(pipelineFiles, new PipelinePathDefinitionProvider(state)),
    vscode.languages.registerCompletionItemProvider(
      pipelineFiles,
      new ParamCompletionProvider(state, engine),
      '.',
      '{',
      '[',
      ' ',
    ),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new StageTaskProvider(state, controller)),
    controller.onDidChange(() => {
      state.setLiveStages(controller.liveStages());
      void vscode.commands.executeCommand('setContext', ContextKey.running, controller.activeRuns().length > 0);
    }),
    controller.onDidStartRun(({ runId, root }) => {
      if (readSettings(vscode.Uri.file(root)).chartsOpenOnRun) void panels.showCharts([runId], { add: true });
    }),
    controller.onDidFinishRun(() => {
      state.statusDidChange();
      state.runsDidChange();
    }),
    state.onDidChangePipelines(() => {
      const hasStages = state.stages().length > 0;
      if (hasStages !== shownHasStages) {
        shownHasStages = hasStages;
        void vscode.commands.executeCommand('setContext', ContextKey.hasStages, hasStages);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      showTrust();
      state.refreshAll();
    }),
    onDidChangeSettings(() => state.refreshAll()),
    lifecycle,
  );
  void vscode.commands.executeCommand('setContext', ContextKey.active, true);

  // The first load happens after activation, off its critical path.
  setTimeout(() => {
    state.refreshAll();
    void state.whenIdle();
  }, 0);

  const activationMs = performance.now() - started;
  logger.info('mlc activated', { ms: Number(activationMs.toFixed(2)), trusted: vscode.workspace.isTrusted });
  return {
    activationMs,
    whenIdle: () => state.whenIdle(),
    pipelinesTree: () => snapshotTree(pipelinesTree),
    runsTree: () => snapshotTree(runsTree),
    activeRuns: () => controller.activeRuns(),
    statusBarText: () => statusBar.visibleText(),
    alertStatusText: () => alertStatus.visibleText(),
    activeAlerts: () => controller.activeAlerts(),
    modelsTree: () => lifecycle.modelsTree(),
    deploymentsTree: () => lifecycle.deploymentsTree(),
    deploymentStatusText: () => lifecycle.deploymentStatusText(),
  };
}

export function deactivate(): void {}
