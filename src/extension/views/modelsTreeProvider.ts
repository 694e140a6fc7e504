import * as vscode from 'vscode';
import type { ModelVersionRecord, RegisteredModel } from '../../engine/registry/modelRegistry';
import type { LifecycleController } from '../lifecycle/lifecycleController';
import type { LifecycleScope } from '../lifecycle/lifecycleServices';
import { modelRow, versionRow } from '../lifecycle/lifecycleViewModels';
import { lifecycleTreeItem } from './lifecycleTreeItem';

export type ModelTreeElement =
  | { readonly kind: 'model'; readonly scope: LifecycleScope; readonly model: RegisteredModel }
  | {
      readonly kind: 'version';
      readonly scope: LifecycleScope;
      readonly model: RegisteredModel;
      readonly version: ModelVersionRecord;
    };

/** Models view: mlc's registered models (and declared ones without versions) -> versions, newest first. */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private shownModels = '';

  constructor(private readonly lifecycle: LifecycleController) {
    // Health polls fire the controller often; redraw only when the registry changed.
    this.subscription = lifecycle.onDidChange(() => {
      const models = JSON.stringify(lifecycle.models().map((entry) => entry.model));
      if (models === this.shownModels) return;
      this.shownModels = models;
      this.changed.fire(undefined);
    });
  }

  getChildren(element?: ModelTreeElement): ModelTreeElement[] {
    if (!element) return this.lifecycle.models().map((entry) => ({ kind: 'model', ...entry }));
    if (element.kind === 'version') return [];
    return [...element.model.versions]
      .reverse()
      .map((version) => ({ kind: 'version', scope: element.scope, model: element.model, version }));
  }

  getTreeItem(element: ModelTreeElement): vscode.TreeItem {
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
