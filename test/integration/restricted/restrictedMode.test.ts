// Restricted Mode: pipelines and stages stay visible, and nothing runs, whichever way a run is asked for.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api } from '../support/activatedApi';

describe('mlc in Restricted Mode', () => {
  const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  it('still lists the pipeline and its stages', async () => {
    const exported = await api();
    assert.equal(vscode.workspace.isTrusted, false);
    const tree = await exported.pipelinesTree();
    const stages = tree.find((item) => item.label === 'mlc.yaml')?.children.map((stage) => stage.label);
    assert.deepEqual(stages, ['prepare', 'train', 'evaluate']);
  });

  it('runs nothing from Run Pipeline, Run Stage or a stage task', async () => {
    await api();
    assert.equal(await vscode.commands.executeCommand('mlc.runPipeline'), undefined);
    assert.equal(await vscode.commands.executeCommand('mlc.runStage', 'prepare'), undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(!existsSync(join(root(), '.mlc', 'runs')), 'a run was recorded in Restricted Mode');
    assert.ok(!existsSync(join(root(), 'data', 'train.csv')), 'the prepare stage ran in Restricted Mode');
  });

  it('deploys, rolls back and undeploys nothing', async () => {
    await api();
    assert.equal(await vscode.commands.executeCommand('mlc.deploy', 'local', 1), undefined);
    assert.equal(await vscode.commands.executeCommand('mlc.rollback', 'local'), undefined);
    assert.equal(await vscode.commands.executeCommand('mlc.undeploy', 'local'), undefined);
    assert.ok(!existsSync(join(root(), '.mlc', 'deployments')), 'a deployment was recorded in Restricted Mode');
  });
});
