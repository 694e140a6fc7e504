import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../src/extension/engineServices';
import type { TreeItemSnapshot } from '../../src/extension/extensionApi';
import { eventually } from './support/eventually';
import { api } from './support/activatedApi';

const stagesOf = (tree: TreeItemSnapshot[]) => tree.find((item) => item.label === 'mlc.yaml')?.children ?? [];

describe('Running the pipeline', function () {
  this.timeout(120_000);

  it('runs every stage from ML: Run Pipeline, then shows them up to date and the run in the Runs view', async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    assert.ok(vscode.workspace.isTrusted, 'the integration workspace must be trusted to run stages');

    let sawProgress: string | undefined;
    let sawRunningStage: string | undefined;
    const watchProgress = setInterval(() => {
      sawProgress ??= exported.statusBarText();
      void exported.pipelinesTree().then((tree) => {
        sawRunningStage ??= stagesOf(tree).find((stage) => stage.description === 'running')?.label;
      });
    }, 20);
    const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runPipeline');
    clearInterval(watchProgress);

    assert.equal(outcome.status, 'succeeded', `run ${outcome.runId} ended ${outcome.status}`);
    assert.ok(existsSync(join(root, 'models/model.json')), 'the train stage wrote no model');
    assert.match(sawProgress ?? '', /^\$\(sync~spin\) mlc: (starting|prepare|train|evaluate)( \d\/3)?$/);
    assert.ok(sawRunningStage, 'no stage showed as running in the Pipelines view during the run');
    assert.equal(exported.statusBarText(), undefined, 'the status bar item stays visible after the run');

    const tree = await eventually(
      () => exported.pipelinesTree(),
      (items) => stagesOf(items).every((stage) => stage.description.startsWith('up to date')),
    );
    assert.deepEqual(
      stagesOf(tree).map((stage) => stage.label),
      ['prepare', 'train', 'evaluate'],
    );

    const runs = await eventually(
      () => exported.runsTree(),
      (items) => items.some((item) => item.description.startsWith('succeeded')),
    );
    const newest = runs[0]!;
    assert.match(newest.description, /^succeeded · /);
    assert.equal(newest.icon, 'pass-filled');
  });

  it('runs nothing for an up-to-date stage and keeps it up to date', async () => {
    const exported = await api();
    const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'evaluate');
    assert.equal(outcome.status, 'succeeded');
    const tree = await exported.pipelinesTree();
    assert.match(stagesOf(tree).find((stage) => stage.label === 'evaluate')?.description ?? '', /^up to date/);
  });

  it('shows the last run and its metrics when hovering a stage name', async () => {
    await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'mlc.yaml')));
    const position = document.positionAt(document.getText().indexOf('  evaluate:') + 4);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      position,
    );
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(text, /Last run `[\w-]+`: succeeded/);
    assert.match(text, /\| accuracy \| 0\.\d+ \|/);
    assert.match(text, /\| auc \| 0\.\d+ \|/);
  });

  it('runs a stage as the task mlc: <stage>, which ends when the stage is done', async () => {
    await api();
    const tasks = await vscode.tasks.fetchTasks({ type: 'mlc' });
    const evaluate = tasks.find((task) => task.name === 'evaluate');
    assert.ok(evaluate, `no task for evaluate among ${tasks.map((task) => task.name).join(', ')}`);
    const ended = new Promise<void>((resolve) => {
      const subscription = vscode.tasks.onDidEndTask((event) => {
        if (event.execution.task.name !== 'evaluate') return;
        subscription.dispose();
        resolve();
      });
    });
    await vscode.tasks.executeTask(evaluate);
    await ended;
  });

  it('turns a stage changed when a params file it uses is edited and saved in VS Code', async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'params.yaml')));
    const line = document
      .getText()
      .split('\n')
      .findIndex((text) => text.trimStart().startsWith('epochs:'));
    assert.ok(line >= 0, 'params.yaml has no train.epochs');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, document.lineAt(line).range, '  epochs: 61');
    await vscode.workspace.applyEdit(edit);
    await document.save();
    const tree = await eventually(
      () => exported.pipelinesTree(),
      (items) =>
        stagesOf(items)
          .find((stage) => stage.label === 'train')
          ?.description.startsWith('changed') === true,
    );
    const train = stagesOf(tree).find((stage) => stage.label === 'train')!;
    assert.match(train.tooltip, /epochs/);
    assert.match(stagesOf(tree).find((stage) => stage.label === 'evaluate')!.description, /^changed/);
    assert.match(stagesOf(tree).find((stage) => stage.label === 'prepare')!.description, /^up to date/);
  });

  it('opens the Run Details panel of a run from the Runs view', async () => {
    const exported = await api();
    const runs = await exported.runsTree();
    assert.ok(runs.length > 0);
    const runId = runs[0]!.id?.replace(/^run:/, '');
    assert.ok(runId);
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('mlc.showRun', runId);
    assert.equal(panel.viewType, 'mlc.runDetails');
    assert.ok(panel.visible);
    panel.dispose();
  });

  it('shows a stage whose command fails as failed, and its run as failed', async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const folder = join(root, 'failing');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'mlc.yaml'), 'stages:\n  boom:\n    cmd: echo about to fail && exit 3\n');
    try {
      // No refresh: the file watcher notices the new pipeline file.
      await eventually(
        () => exported.pipelinesTree(),
        (items) => items.some((item) => item.label === 'failing/mlc.yaml'),
      );
      const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'failing/mlc.yaml:boom');
      assert.equal(outcome.status, 'failed');
      const tree = await eventually(
        () => exported.pipelinesTree(),
        (items) =>
          items.find((item) => item.label === 'failing/mlc.yaml')?.children[0]?.description.startsWith('failed') ===
          true,
      );
      const boom = tree.find((item) => item.label === 'failing/mlc.yaml')!.children[0]!;
      assert.equal(boom.icon, 'error');
      await eventually(
        () => exported.runsTree(),
        (runs) => runs[0]?.description.startsWith('failed') === true,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await eventually(
        () => exported.pipelinesTree(),
        (items) => !items.some((item) => item.label === 'failing/mlc.yaml'),
      );
    }
  });

  it('stops a running stage with ML: Stop Run and records the run as cancelled', async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const folder = join(root, 'slow');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'mlc.yaml'), 'stages:\n  wait:\n    cmd: sleep 60\n');
    try {
      await eventually(
        () => exported.pipelinesTree(),
        (items) => items.some((item) => item.label === 'slow/mlc.yaml'),
      );
      const started = Date.now();
      const running = vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'slow/mlc.yaml:wait');
      await eventually(
        async () => exported.activeRuns(),
        (runs) => runs.some((run) => run.runningStages.includes('slow/mlc.yaml:wait')),
      );
      assert.equal(await vscode.commands.executeCommand('mlc.stopRun'), true);
      const outcome = await running;
      assert.equal(outcome.status, 'cancelled');
      assert.ok(Date.now() - started < 30_000, 'the stage was not killed');
      assert.deepEqual(exported.activeRuns(), []);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await eventually(
        () => exported.pipelinesTree(),
        (items) => !items.some((item) => item.label === 'slow/mlc.yaml'),
      );
    }
  });
});
