import * as vscode from 'vscode';
import type { Disposable } from '../../engine/ports';
import { isRunOutputPath } from '../../node/readers/runOutputWatches';
import { type FolderTreeChange, watchFolderTree } from '../../node/workspace/watchFolderTree';
import { isLockFileName, isPipelineFileName } from '../../engine/pipeline/pipelineFileNames';
import { readSettings } from '../settings';
import type { WorkspaceState } from './workspaceState';
import {
  PARAMS_NAME,
  declaredStagePaths,
  isLifecycleRecordChange,
  isWithin,
  skipsWatching,
} from '../../engine/workspace/watchedPaths';

/**
 * Keeps the state current without polling. Every workspace folder is watched by mlc itself
 * (watchFolderTree: one fs.watch per folder), because VS Code's recursive watcher misses files in
 * folders made by `mkdir -p` on Linux and reports a deleted folder without the files inside it
 * (ARCHITECTURE.md, "Known gaps" has the history). Each change is sorted by path: pipeline files,
 * params and lock files, the paths the stages declare (deps, outs, params files), run outputs.
 * Editor changes of pipeline files give problems as the user types.
 */
export function watchWorkspace(state: WorkspaceState): vscode.Disposable {
  /** Declared paths (absolute), rebuilt when the pipelines change. */
  let statusPaths: string[] = [];
  let paramsPaths: string[] = [];
  const rememberDeclaredPaths = () => {
    const status = new Set<string>();
    const params = new Set<string>();
    for (const info of state.stages()) {
      const declared = declaredStagePaths(info.entry.stage);
      declared.status.forEach((path) => status.add(path));
      declared.params.forEach((path) => params.add(path));
    }
    statusPaths = [...status];
    paramsPaths = [...params];
  };

  const onChanges = (root: string, changes: readonly FolderTreeChange[]) => {
    let pipelineFiles = false;
    let pipelines = false;
    let status = false;
    let runs = false;
    let lifecycleRecords = false;
    for (const { path, directory } of changes) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      // A folder that appeared or went away: whatever it held. (Its files are reported one by one
      // too, except when it was renamed.)
      const touches = (declared: string) => isWithin(path, declared) || (directory && isWithin(declared, path));
      if (isPipelineFileName(name) || (directory && state.hasPipelineFileIn(path))) pipelineFiles = true;
      if (PARAMS_NAME.test(name) || paramsPaths.some(touches)) pipelines = true;
      if (isLockFileName(name) || statusPaths.some(touches)) status = true;
      if (directory || isRunOutputPath(path.slice(root.length + 1))) runs = true;
      if (isLifecycleRecordChange(path.slice(root.length + 1), directory)) lifecycleRecords = true;
    }
    if (lifecycleRecords) state.lifecycleRecordsDidChange();
    if (pipelineFiles) state.pipelineFilesDidChange();
    else if (pipelines) state.pipelinesDidChange();
    if (status) state.statusDidChange();
    if (runs) {
      state.runsDidChange();
      // A finished stage run changes its last duration and failed state.
      state.statusDidChange();
    }
  };

  let folderWatchers: Disposable[] = [];
  const watchFolders = () => {
    folderWatchers.forEach((watcher) => watcher.dispose());
    folderWatchers = (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === 'file')
      .map((folder) => {
        const root = folder.uri.fsPath;
        const ignore = readSettings(folder.uri).ignore;
        return watchFolderTree(root, { skip: (relative) => skipsWatching(relative, ignore) }, (changes) =>
          onChanges(root, changes),
        );
      });
  };
  watchFolders();

  const isPipelineDocument = (document: vscode.TextDocument) =>
    document.uri.scheme === 'file' && isPipelineFileName(document.uri.path.split('/').at(-1) ?? '');
  return vscode.Disposable.from(
    { dispose: () => folderWatchers.forEach((watcher) => watcher.dispose()) },
    state.onDidChangePipelines(rememberDeclaredPaths),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0 && isPipelineDocument(event.document)) state.pipelinesDidChange();
    }),
    // A pipeline file outside the workspace folders is found when an editor opens it.
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (isPipelineDocument(document) && !state.isKnownPipelineFile(document.uri.fsPath))
        state.pipelineFilesDidChange();
    }),
    // Closing an unsaved editor drops its text: problems go back to what is on disk.
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (isPipelineDocument(document)) state.pipelinesDidChange();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      watchFolders();
      state.refreshAll();
    }),
    // extension.ts reloads everything when settings change; the watch follows `mlc.ignore`.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mlc.ignore')) watchFolders();
    }),
  );
}
