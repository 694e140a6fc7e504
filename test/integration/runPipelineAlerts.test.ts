import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
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
