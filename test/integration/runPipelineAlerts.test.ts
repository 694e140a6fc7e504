import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../src/extension/engineServices';
import { eventually } from './support/eventually';
import { api } from './support/activatedApi';

describe('Alerts of a run started in VS Code', function () {
  this.timeout(120_000);

  it('a NaN learning rate fires the NaN alert: the alerts status bar item and the Runs view show it', async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const paramsFile = join(root, 'params.yaml');
    const params = readFileSync(paramsFile, 'utf8');
    writeFileSync(paramsFile, params.replace(/lr: [\d.]+/, 'lr: .nan'));
    try {
      const outcome = await vscode.commands.executeCommand<RunOutcome>('mlc.runStage', 'train');
      assert.equal(outcome.status, 'succeeded', 'the stage itself succeeds; the alert is about its metrics');
      assert.deepEqual(
        exported.activeAlerts().map(({ runId, alert }) => [runId, alert.kind, alert.metric]),
        [[outcome.runId, 'nonFinite', 'loss']],
      );
      assert.equal(exported.alertStatusText(), '$(warning) 1 alert');
      const runs = await eventually(
        () => exported.runsTree(),
        // The alert is in run.json while the run still runs: wait for the record of the end too.
        (items) =>
          items.some((item) => item.id === `run:${outcome.runId}` && /^⚠ 1 alert · succeeded/.test(item.description)),
      );
      const run = runs.find((item) => item.id === `run:${outcome.runId}`)!;
      assert.match(run.description, /^⚠ 1 alert · succeeded/);
      // The tooltip is Markdown built with appendText: spaces arrive as &nbsp;.
      assert.match(run.tooltip.replace(/&nbsp;/g, ' '), /⚠ alert: loss is NaN at step 1 of train/);
    } finally {
      // Leave the shared workspace as the other suites expect it: valid params, stages up to date.
      writeFileSync(paramsFile, params);
      await vscode.commands.executeCommand<RunOutcome>('mlc.runPipeline');
    }
    assert.equal(exported.alertStatusText(), undefined, 'a new run without alerts clears the item');
  });
});

describe('Alerts of a run started outside VS Code', function () {
  this.timeout(120_000);

  it("a terminal's running mlc run whose run.json gains an alert: counted in the alerts item until it ends", async () => {
    const exported = await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const runId = '20991231-235959-0a1e47';
    const runFolder = join(root, '.mlc', 'runs', runId);
    const now = Date.now();
    // What `mlc run` in a terminal writes, owned by a live process of this host (this one).
    const record = (status: 'running' | 'succeeded', alerts: readonly object[]) => ({
      schema: 1,
      id: runId,
      status,
      startedAt: now,
      ...(status === 'running' ? {} : { endedAt: now + 1000 }),
      updatedAt: now,
      owner: { pid: process.pid, hostname: hostname() },
      workspace: root,
      targets: ['train'],
      options: { jobs: 1, force: false, keepGoing: false, runner: 'local' },
      params: {},
      metrics: {},
      stages: [],
      ...(alerts.length > 0 ? { alerts } : {}),
    });
    const alert = {
      kind: 'nonFinite',
      rule: 'loss is NaN',
      pipeline: 'mlc.yaml',
      line: 1,
      firedAt: now,
      metric: 'loss',
      step: 3,
      message: 'loss is NaN at step 3 of train (terminal)',
    };
    mkdirSync(runFolder, { recursive: true });
    try {
      writeFileSync(join(runFolder, 'run.json'), JSON.stringify(record('running', [])));
      await eventually(
        () => exported.runsTree(),
        (items) => items.some((item) => item.id === `run:${runId}`),
      );
      assert.equal(exported.alertStatusText(), undefined, 'no alert yet');
      writeFileSync(join(runFolder, 'run.json'), JSON.stringify(record('running', [alert])));
      await eventually(
        async () => exported.alertStatusText(),
        (text) => text === '$(warning) 1 alert',
      );
      writeFileSync(join(runFolder, 'run.json'), JSON.stringify(record('succeeded', [alert])));
      await eventually(
        async () => exported.alertStatusText(),
        (text) => text === undefined,
      );
    } finally {
      rmSync(runFolder, { recursive: true, force: true });
    }
  });
});
