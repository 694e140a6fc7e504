import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../src/extension/engineServices';
import type { TreeItemSnapshot } from '../../src/extension/extensionApi';
import { eventually } from './support/eventually';
import { api } from './support/activatedApi';

const stagesOf = (tree: TreeItemSnapshot[]) => tree.find((item) => item.label === 'mlc.yaml')?.children ?? [];
/** Runs what is not up to date (nothing when all is), so a test does not rely on an earlier one. */
async function runPipelineUpToDate(): Promise<void> {
  const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runPipeline');
  assert.equal(outcome.status, 'succeeded', `run ${outcome.runId} ended ${outcome.status}`);
}
const runFolders = (root: string) =>
  existsSync(join(root, '.mlc/runs')) ? readdirSync(join(root, '.mlc/runs')).sort() : [];

describe('Running the pipeline', function () {
  this.timeout(120_000);

  it('runs every stage from ML: Run Pipeline, then shows them up to date and the run in the Runs view', async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    assert.ok(vscode.workspace.isTrusted, 'the integration workspace must be trusted to run stages');

    const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runPipeline');

    assert.equal(outcome.status, 'succeeded', `run ${outcome.runId} ended ${outcome.status}`);
    assert.ok(existsSync(join(root, 'models/model.json')), 'the train stage wrote no model');
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
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    await runPipelineUpToDate();
    const runsBefore = runFolders(root);
    const metricsBefore = statSync(join(root, 'metrics/eval.json')).mtimeMs;

    const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'evaluate');
    assert.equal(outcome.status, 'succeeded');
    assert.equal(outcome.runId, undefined, 'a run was recorded for an up-to-date stage');
    assert.deepEqual(runFolders(root), runsBefore, 'no run record was written');
    assert.equal(statSync(join(root, 'metrics/eval.json')).mtimeMs, metricsBefore, 'evaluate rewrote its metrics');
    const tree = await exported.pipelinesTree();
    assert.match(stagesOf(tree).find((stage) => stage.label === 'evaluate')?.description ?? '', /^up to date/);
  });

  it('shows the last run and its metrics when hovering a stage name', async () => {
    await api();
    await runPipelineUpToDate();
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
    const paramsPath = join(root, 'params.yaml');
    const original = readFileSync(paramsPath, 'utf8');
    await runPipelineUpToDate();
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(paramsPath));
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
    } finally {
      // Leave params.yaml as it was for the other tests.
      writeFileSync(paramsPath, original);
      await eventually(
        () => exported.pipelinesTree(),
        (items) => !stagesOf(items).some((stage) => stage.description.startsWith('changed')),
      );
    }
  });

  it('opens the Run Details panel of a run from the Runs view', async () => {
    const exported = await api();
    // Its own run, not one an earlier test left.
    await withPipelineFolder('details', 'stages:\n  hello:\n    cmd: echo hello\n', async () => {
      const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'details/mlc.yaml:hello');
      assert.equal(outcome.status, 'succeeded');
      await eventually(
        () => exported.runsTree(),
        (items) => items.some((item) => item.id === `run:${outcome.runId}`),
      );
      const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('mlc.showRun', outcome.runId);
      try {
        assert.equal(panel.viewType, 'mlc.runDetails');
        assert.ok(panel.visible);
      } finally {
        panel.dispose();
      }
    });
  });

  it('shows a running stage as running in the Pipelines view and the run progress in the status bar', async () => {
    const exported = await api();
    // The stage runs until the test releases it, so "running" is a state to wait for, not a race.
    const pipeline =
      'stages:\n  hold:\n    cmd: while [ ! -e release ]; do sleep 0.05; done\n    always_changed: true\n';
    await withPipelineFolder('gated', pipeline, async (folder) => {
      const running = vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'gated/mlc.yaml:hold');
      await eventually(
        () => exported.pipelinesTree(),
        (items) => items.find((item) => item.label === 'gated/mlc.yaml')?.children[0]?.description === 'running',
      );
      assert.match(exported.statusBarText() ?? '', /^\$\(sync~spin\) mlc: gated\/mlc\.yaml:hold 1\/1$/);
      writeFileSync(join(folder, 'release'), '');
      assert.equal((await running).status, 'succeeded');
      assert.equal(exported.statusBarText(), undefined);
    });
  });

  it('shows a stage whose command fails as failed, and its run as failed', async () => {
    const exported = await api();
    // No refresh: the file watcher notices the new pipeline file.
    await withPipelineFolder('failing', 'stages:\n  boom:\n    cmd: echo about to fail && exit 3\n', async () => {
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
    });
  });

  it('stops a running stage with ML: Stop Run and records the run as cancelled', async () => {
    const exported = await api();
    await withPipelineFolder('slow', 'stages:\n  wait:\n    cmd: sleep 60\n', async () => {
      const running = vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'slow/mlc.yaml:wait');
      await eventually(
        async () => exported.activeRuns(),
        (runs) => runs.some((run) => run.runningStages.includes('slow/mlc.yaml:wait')),
      );
      assert.equal(await vscode.commands.executeCommand('mlc.stopRun'), true);
      // Cancelled, not succeeded: the stage was killed, not left to finish its sleep.
      assert.equal((await running).status, 'cancelled');
      assert.deepEqual(exported.activeRuns(), []);
    });
  });
});

/**
 * Runs `body` with `<root>/<name>/mlc.yaml` holding `pipeline`, once the Pipelines view lists it;
 * then removes the folder and waits until the view no longer does, so no test leaves it behind.
 */
async function withPipelineFolder(name: string, pipeline: string, body: (folder: string) => Promise<void>) {
  const exported = await api();
  const folder = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, name);
  const label = `${name}/mlc.yaml`;
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'mlc.yaml'), pipeline);
  try {
    await eventually(
      () => exported.pipelinesTree(),
      (items) => items.some((item) => item.label === label),
    );
    await body(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await eventually(
      () => exported.pipelinesTree(),
      (items) => !items.some((item) => item.label === label),
    );
  }
}
