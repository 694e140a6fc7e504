import * as vscode from 'vscode';
import type { ModelVersionRecord, RegisteredModel } from '../../engine/registry/modelRegistry';
import type { MlflowModelVersion } from '../../engine/readers/mlflow/registryModel';
import { CommandId } from '../ids';
import type { LifecycleController, MlflowModelEntry } from '../lifecycle/lifecycleController';
import type { LifecycleScope } from '../lifecycle/lifecycleServices';
import { mlflowModelRow, mlflowVersionRow, modelRow, versionRow } from '../lifecycle/lifecycleViewModels';
import { lifecycleTreeItem } from './lifecycleTreeItem';

export type ModelTreeElement =
  | { readonly kind: 'model'; readonly scope: LifecycleScope; readonly model: RegisteredModel }
  | {
      readonly kind: 'version';
      readonly scope: LifecycleScope;
      readonly model: RegisteredModel;
      readonly version: ModelVersionRecord;
    }
  | { readonly kind: 'mlflowModel'; readonly entry: MlflowModelEntry }
  | { readonly kind: 'mlflowVersion'; readonly entry: MlflowModelEntry; readonly version: MlflowModelVersion };

/**
 * Models view: mlc's registered models (and declared ones without versions) -> versions, newest
 * first; then, read-only, the models of the MLflow registries the run index found.
 */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private shownModels = '';

  constructor(private readonly lifecycle: LifecycleController) {
    // Health polls fire the controller often; redraw only when the registry changed.
    this.subscription = lifecycle.onDidChange(() => {
      const models = JSON.stringify([
        lifecycle.models().map((entry) => entry.model),
        lifecycle.mlflowModels(),
        lifecycle.mlflowModels().map((entry) => this.knownRuns(entry)),
      ]);
      if (models === this.shownModels) return;
      this.shownModels = models;
      this.changed.fire(undefined);
    });
  }

  getChildren(element?: ModelTreeElement): ModelTreeElement[] {
    if (!element) {
      return [
        ...this.lifecycle.models().map((entry): ModelTreeElement => ({ kind: 'model', ...entry })),
        ...this.lifecycle.mlflowModels().map((entry): ModelTreeElement => ({ kind: 'mlflowModel', entry })),
      ];
    }
    if (element.kind === 'mlflowModel') {
      return [...element.entry.model.versions]
        .reverse()
        .map((version) => ({ kind: 'mlflowVersion', entry: element.entry, version }));
    }
    if (element.kind !== 'model') return [];
    return [...element.model.versions]
      .reverse()
      .map((version) => ({ kind: 'version', scope: element.scope, model: element.model, version }));
  }

  /** The source runs the run list has, so a version's link appears when its run gets listed. */
  private knownRuns(entry: MlflowModelEntry): string[] {
    return entry.model.versions
      .flatMap((version) => (version.runId === undefined ? [] : [`mlflow:${version.runId}`]))
      .filter((runId) => this.lifecycle.isKnownRun(runId));
  }

  getTreeItem(element: ModelTreeElement): vscode.TreeItem {
    if (element.kind === 'mlflowModel') {
      return lifecycleTreeItem(
        mlflowModelRow(element.entry.model, element.entry.location),
        element.entry.model.versions.length > 0
          ? vscode.TreeItemCollapsibleState.Collapsed
          : vscode.TreeItemCollapsibleState.None,
      );
    }
    if (element.kind === 'mlflowVersion') {
      const { model, location } = element.entry;
      const row = mlflowVersionRow(model, element.version, location, (runId) => this.lifecycle.isKnownRun(runId));
      const item = lifecycleTreeItem(row, vscode.TreeItemCollapsibleState.None);
      if (row.runId) item.command = { command: CommandId.showRun, title: 'Show Run Details', arguments: [row.runId] };
      return item;
    }
    if (element.kind === 'model') {
      const row = modelRow(element.model);
      // A tree keeps an item's collapsed state by id: a model first shown without versions (not
      // expandable) would stay folded once it has some, so it gets a new id then.
      return lifecycleTreeItem(
        element.model.versions.length > 0 ? { ...row, id: `${row.id}:versions` } : row,
        element.model.versions.length > 0
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.None,
      );
    }
    return lifecycleTreeItem(versionRow(element.model, element.version), vscode.TreeItemCollapsibleState.None);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
