import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TreeItemSnapshot } from '../../src/extension/extensionApi';
import { api } from './support/activatedApi';
import { eventually } from './support/eventually';

describe('Runs view, all sources', () => {
  const folder = () => join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'notebook-experiment');

  after(async () => {
    rmSync(folder(), { recursive: true, force: true });
    const exported = await api();
    await eventually(
      () => exported.runsTree(),
      (runs) => !runs.some((run) => run.id?.startsWith('run:dvclive:')),
    );
  });

  it('lists a DVCLive run written by another tool beside mlc runs, with its metrics', async () => {
    const exported = await api();
    const live = join(folder(), 'dvclive');
    mkdirSync(join(live, 'plots', 'metrics'), { recursive: true });
    writeFileSync(join(live, 'params.yaml'), 'lr: 0.01\nepochs: 3\n');
    writeFileSync(join(live, 'metrics.json'), JSON.stringify({ accuracy: 0.87, loss: 0.31, step: 2 }, null, 4) + '\n');
    writeFileSync(join(live, 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n0\t0.9\n1\t0.5\n2\t0.31\n');
    // No refresh: the file watcher notices the new run.
    const runs = await eventually(
      () => exported.runsTree(),
      (listed) => listed.some((run) => run.id?.startsWith('run:dvclive:')),
    );
    const dvclive = runs.find((run: TreeItemSnapshot) => run.id?.startsWith('run:dvclive:'));
    assert.ok(dvclive, `no DVCLive run among ${runs.map((run) => run.id).join(', ')}`);
    assert.match(dvclive.description, /accuracy 0\.87/);
    assert.match(dvclive.description, /loss 0\.31/);
    assert.match(dvclive.tooltip, /\(dvclive\)/);
  });
});
