import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeItemSnapshot } from '../../src/extension/extensionApi';
import { eventually } from './support/eventually';
import { api } from './support/activatedApi';

describe('Pipelines and Runs views', () => {
  it('activates and reports how long activate() took', async () => {
    const exported = await api();
    assert.ok(exported.activationMs >= 0);
    // The harness echoes lines with this prefix: the figure lands in the test log.
    console.log(`[mlc-it] activate() took ${exported.activationMs.toFixed(2)} ms`);
    // Timing never gates a test: bench/activation.bench.ts holds the activation target.
  });

  it('lists mlc.yaml with its stages, each with a computed state', async () => {
    const exported = await api();
    const tree = await eventually(
      () => exported.pipelinesTree(),
      (items) => {
        const stages = items.find((item) => item.label === 'mlc.yaml')?.children ?? [];
        return stages.length === 3 && stages.every((stage) => !stage.description.startsWith('checking'));
      },
    );
    const pipeline = tree.find((item) => item.label === 'mlc.yaml') as TreeItemSnapshot;
    assert.equal(pipeline.description, '3 stages');
    assert.deepEqual(
      pipeline.children.map((stage) => stage.label),
      ['prepare', 'train', 'evaluate'],
    );
    for (const stage of pipeline.children) {
      assert.match(stage.description, /^(up to date|changed|never run|frozen|failed)/);
      assert.equal(stage.contextValue, 'mlcStage');
      assert.ok(stage.icon, `stage ${stage.label} has no state icon`);
    }
  });

  it('explains a changed stage in its tooltip', async () => {
    const exported = await api();
    const tree = await exported.pipelinesTree();
    const stages = tree.flatMap((item) => item.children);
    const changed = stages.filter((stage) => /^(changed|never run)/.test(stage.description));
    // A fresh copy of the workspace has never run: every stage is one to explain.
    assert.ok(changed.length > 0, `no changed or never-run stage among ${stages.map((stage) => stage.description)}`);
    for (const stage of changed) assert.match(stage.tooltip, new RegExp(`\\*\\*${stage.label}\\*\\*`));
  });

  it('offers the stages as tasks named mlc: <stage>', async () => {
    await api();
    const tasks = await vscode.tasks.fetchTasks({ type: 'mlc' });
    const names = tasks.map((task) => task.name).sort();
    assert.deepEqual(names, ['evaluate', 'prepare', 'train']);
    for (const task of tasks) {
      assert.equal(task.source, 'mlc');
      assert.equal(task.definition.type, 'mlc');
    }
  });
});
