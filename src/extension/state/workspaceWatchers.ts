import * as vscode from 'vscode';
import { PIPELINE_FILE_NAMES } from '../ids';
import type { WorkspaceState } from './workspaceState';

/** Run outputs of every source the run index reads (mlc's own, MLflow, DVCLive, TensorBoard, CSV loggers). */
const RUN_OUTPUT_GLOBS = [
  '**/.mlc/runs/**',
  '**/mlruns/**',
  '**/mlflow.db',
  '**/dvclive/**',
  '**/events.out.tfevents.*',
  '**/metrics.csv',
];
const PIPELINE_GLOB = '**/{mlc.yaml,dvc.yaml,MLproject}';
/** Default params files, which `vars:` and `${}` read even when no stage lists them. */
const PARAMS_GLOB = '**/params.{yaml,yml,json,toml}';
const LOCK_GLOB = '**/{mlc.lock,dvc.lock}';

const escapeGlob = (path: string) => path.replace(/[{}[\]*?,!]/g, (char) => `[${char}]`);

/**
 * Keeps the state current without polling: VS Code's file watcher on pipeline, lock and run
 * files, a watcher limited to the paths the pipelines declare (deps, outs, params files) for
 * stage states, and editor changes of pipeline files for problems as the user types.
 */
export function watchWorkspace(state: WorkspaceState): vscode.Disposable {
  const subscriptions: vscode.Disposable[] = [];
  const onAnyChange = (watcher: vscode.FileSystemWatcher, listener: () => void) => {
    subscriptions.push(
      watcher,
      watcher.onDidChange(listener),
      watcher.onDidCreate(listener),
      watcher.onDidDelete(listener),
    );
  };
  const pipelineWatcher = vscode.workspace.createFileSystemWatcher(PIPELINE_GLOB);
  subscriptions.push(
    pipelineWatcher,
    pipelineWatcher.onDidChange(() => state.pipelinesDidChange()),
    pipelineWatcher.onDidCreate(() => state.pipelineFilesDidChange()),
    pipelineWatcher.onDidDelete(() => state.pipelineFilesDidChange()),
  );
  onAnyChange(vscode.workspace.createFileSystemWatcher(PARAMS_GLOB), () => state.pipelinesDidChange());
  onAnyChange(vscode.workspace.createFileSystemWatcher(LOCK_GLOB), () => state.statusDidChange());
  for (const glob of RUN_OUTPUT_GLOBS) {
    onAnyChange(vscode.workspace.createFileSystemWatcher(glob), () => {
      state.runsDidChange();
      // A finished stage run changes its last duration and failed state.
      state.statusDidChange();
    });
  }

  const isPipelineDocument = (document: vscode.TextDocument) =>
    document.uri.scheme === 'file' && PIPELINE_FILE_NAMES.has(document.uri.path.split('/').at(-1) ?? '');
  subscriptions.push(
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0 && isPipelineDocument(event.document)) state.pipelinesDidChange();
    }),
    // A pipeline file created outside VS Code's watcher's view (or before it started) is found
    // when an editor opens it.
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (isPipelineDocument(document) && !state.isKnownPipelineFile(document.uri.fsPath))
        state.pipelineFilesDidChange();
    }),
    // Closing an unsaved editor drops its text: problems go back to what is on disk.
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (isPipelineDocument(document)) state.pipelinesDidChange();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => state.refreshAll()),
  );

  // Declared paths change with the pipelines: rebuild that watcher when the set changes.
  let declared: vscode.Disposable[] = [];
  let declaredKey = '';
  const watchDeclaredPaths = () => {
    const byRoot = new Map<string, { status: Set<string>; params: Set<string> }>();
    for (const info of state.stages()) {
      const sets = byRoot.get(info.root) ?? { status: new Set<string>(), params: new Set<string>() };
      byRoot.set(info.root, sets);
      const relative = (path: string) => {
        const absolute = path.startsWith('/') ? path : `${info.entry.stage.wdir}/${path}`;
        return absolute.startsWith(`${info.root}/`) ? absolute.slice(info.root.length + 1) : undefined;
      };
      for (const entry of [...info.entry.stage.deps, ...info.entry.stage.outs]) {
        const path = relative(entry.path);
        if (path) sets.status.add(escapeGlob(path));
      }
      for (const params of info.entry.stage.params) {
        const path = relative(params.file);
        if (path) sets.params.add(escapeGlob(path));
      }
    }
    const key = JSON.stringify([...byRoot].map(([root, sets]) => [root, [...sets.status], [...sets.params]]));
    if (key === declaredKey) return;
    declaredKey = key;
    declared.forEach((disposable) => disposable.dispose());
    declared = [];
    for (const [root, sets] of byRoot) {
      // `path` and `path/**`: a declared folder changes when anything inside it does.
      const globOf = (paths: Set<string>) => `{${[...paths].flatMap((path) => [path, `${path}/**`]).join(',')}}`;
      const add = (paths: Set<string>, listener: () => void) => {
        if (paths.size === 0) return;
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, globOf(paths)));
        declared.push(
          watcher,
          watcher.onDidChange(listener),
          watcher.onDidCreate(listener),
          watcher.onDidDelete(listener),
        );
      };
      add(sets.status, () => state.statusDidChange());
      add(sets.params, () => state.pipelinesDidChange());
    }
  };
  subscriptions.push(state.onDidChangePipelines(watchDeclaredPaths), {
    dispose: () => declared.forEach((disposable) => disposable.dispose()),
  });
  return vscode.Disposable.from(...subscriptions);
}
