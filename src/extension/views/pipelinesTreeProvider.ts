import * as vscode from 'vscode';
import type { Pipeline } from '../../engine/pipeline/model';
import { CommandId, TreeItemContext } from '../ids';
import { formatDuration, presentState, withoutBidiControls } from '../presentation';
import type { StageInfo, WorkspaceState } from '../state/workspaceState';
import { lifecycleTreeItem } from './lifecycleTreeItem';
import { stageTooltipMarkdown } from './stageTooltipMarkdown';
import type { RunnerChecks } from './runnerChecks';
import { declaredRunners, runnerRow, type DeclaredRunner } from './runnersViewModel';

export type PipelineTreeElement =
  | { readonly kind: 'pipeline'; readonly root: string; readonly pipeline: Pipeline; readonly problemCount: number }
  | { readonly kind: 'stage'; readonly info: StageInfo }
  /** After the pipeline files, when any declares an ssh or slurm runner: those runners. */
  | { readonly kind: 'runners' }
  | { readonly kind: 'runner'; readonly root: string; readonly runner: DeclaredRunner };

const relativeTo = (root: string, file: string) => (file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file);

/** Pipelines view: pipeline files, each with its stages, their live state and why they changed. */
export class PipelinesTreeProvider implements vscode.TreeDataProvider<PipelineTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PipelineTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly state: WorkspaceState,
    private readonly runnerChecks?: RunnerChecks,
  ) {
    const pipelinesChanged = state.onDidChangePipelines(() => this.changed.fire(undefined));
    const checked = runnerChecks?.onDidChange(() => this.changed.fire(undefined));
    this.subscription = { dispose: () => [pipelinesChanged, checked].forEach((each) => each?.dispose()) };
  }

  getChildren(element?: PipelineTreeElement): PipelineTreeElement[] {
    if (element === undefined) {
      const pipelines = this.state.views().flatMap((view) =>
        view.pipelines.map((pipeline): PipelineTreeElement => ({
          kind: 'pipeline',
          root: view.root,
          pipeline,
          problemCount: view.problems.filter((problem) => problem.file === pipeline.file).length,
        })),
      );
      return this.runners().length > 0 ? [...pipelines, { kind: 'runners' }] : pipelines;
    }
    if (element.kind === 'pipeline') {
      return this.state
        .stagesOfFile(element.pipeline.file)
        .map((info): PipelineTreeElement => ({ kind: 'stage', info }));
    }
    if (element.kind === 'runners') return this.runners();
    return [];
  }

  private runners(): PipelineTreeElement[] {
    return this.state.views().flatMap((view) =>
      declaredRunners(view.pipelines).map((runner): PipelineTreeElement => ({
        kind: 'runner',
        root: view.root,
        runner,
      })),
    );
  }

  getTreeItem(element: PipelineTreeElement): vscode.TreeItem {
    switch (element.kind) {
      case 'pipeline':
        return pipelineItem(element);
      case 'stage':
        return stageItem(element.info);
      case 'runners':
        return runnersGroupItem();
      case 'runner':
        return lifecycleTreeItem(
          runnerRow(
            element.runner,
            this.runnerChecks?.state(element.runner.key),
            relativeTo(element.root, element.runner.pipelineFile),
          ),
          vscode.TreeItemCollapsibleState.None,
        );
    }
  }

  getParent(element: PipelineTreeElement): PipelineTreeElement | undefined {
    if (element.kind === 'pipeline' || element.kind === 'runners') return undefined;
    if (element.kind === 'runner') return { kind: 'runners' };
    return this.getChildren().find(
      (candidate) => candidate.kind === 'pipeline' && candidate.pipeline.file === element.info.entry.stage.pipelineFile,
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function runnersGroupItem(): vscode.TreeItem {
  const item = new vscode.TreeItem('Runners', vscode.TreeItemCollapsibleState.Expanded);
  item.id = 'runners';
  item.iconPath = new vscode.ThemeIcon('remote');
  item.tooltip = 'The ssh and slurm runners declared under runners: ("ML: Check Runners" checks they answer)';
  item.contextValue = TreeItemContext.runners;
  return item;
}

function pipelineItem(element: Extract<PipelineTreeElement, { kind: 'pipeline' }>): vscode.TreeItem {
  const { pipeline, root, problemCount } = element;
  const item = new vscode.TreeItem(relativeTo(root, pipeline.file), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `pipeline:${pipeline.file}`;
  item.resourceUri = vscode.Uri.file(pipeline.file);
  item.iconPath = new vscode.ThemeIcon(problemCount > 0 ? 'warning' : 'symbol-file');
  const stageCount = `${pipeline.stages.length} stage${pipeline.stages.length === 1 ? '' : 's'}`;
  item.description =
    problemCount > 0 ? `${stageCount} · ${problemCount} problem${problemCount === 1 ? '' : 's'}` : stageCount;
  item.tooltip = `${pipeline.file} (${pipeline.kind})`;
  item.contextValue = TreeItemContext.pipeline;
  item.command = { command: 'vscode.open', title: 'Open Pipeline File', arguments: [vscode.Uri.file(pipeline.file)] };
  return item;
}

/**
 * The text after a stage's name: `changed`, `up to date · 12.3 s`, `queued · PartitionDown` (Slurm's
 * reason in sight: a tooltip over a row that refreshes while the job waits is hard to read).
 */
export function stageDescription(info: Pick<StageInfo, 'state' | 'lastRun' | 'queuedReason'>): string {
  const label = presentState(info.state).label;
  if (info.state === 'queued' && info.queuedReason) return `${label} · ${info.queuedReason}`;
  const duration = info.lastRun?.durationMs;
  const inFlight = info.state === 'running' || info.state === 'queued';
  return duration === undefined || inFlight ? label : `${label} · ${formatDuration(duration)}`;
}

function stageItem(info: StageInfo): vscode.TreeItem {
  const { stage, address } = info.entry;
  const item = new vscode.TreeItem(withoutBidiControls(stage.name), vscode.TreeItemCollapsibleState.None);
  item.id = `stage:${stage.pipelineFile}#${address}`;
  const presentation = presentState(info.state);
  item.iconPath = new vscode.ThemeIcon(
    presentation.icon,
    presentation.color ? new vscode.ThemeColor(presentation.color) : undefined,
  );
  item.description = stageDescription(info);
  item.tooltip = new vscode.MarkdownString(stageTooltipMarkdown(info), true);
  item.contextValue = info.state === 'running' ? `${TreeItemContext.stage}.running` : TreeItemContext.stage;
  item.command = { command: CommandId.openStage, title: 'Open Stage in File', arguments: [address] };
  return item;
}
