// Registry records written by another process (what `mlc register` and `mlc promote` in a terminal
// write) reach the Models view through the workspace watcher (`.mlc/registry` is a lifecycle record,
// like the deployment records), with no refresh and no health round. The latency from the write to
// the view is printed, never asserted.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { promoteAlias, registerModelVersion } from '../../src/engine/registry/modelRegistry';
import type { MlcExtensionApi, TreeItemSnapshot } from '../../src/extension/extensionApi';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { createFakeHasher } from '../support/deployFakes';
import { api } from './support/activatedApi';
import { eventually } from './support/eventually';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const row = (items: TreeItemSnapshot[], model: string) => items.find((item) => item.label === model);

describe('Models registered outside the window', function () {
  this.timeout(120_000);
  let exported: MlcExtensionApi;
  const ports = {
    fs: nodeFileSystem,
    hasher: createFakeHasher(nodeFileSystem),
    git: { state: () => Promise.resolve({ commit: 'c0ffee', dirty: false, user: 'Ada <ada@example.org>' }) },
    clock: { now: () => Date.now() },
  };

  before(async () => {
    exported = await api();
  });

  after(() => {
    rmSync(join(root(), '.mlc/registry/churn'), { recursive: true, force: true });
    rmSync(join(root(), 'models/model.json'), { force: true });
  });

  it('a register and a promote from a terminal show in the Models view without any refresh', async () => {
    const before = await eventually(
      () => exported.modelsTree(),
      (items) => row(items, 'churn') !== undefined,
    );
    assert.equal(row(before, 'churn')!.description, 'no versions yet');
    await exported.whenIdle();

    mkdirSync(join(root(), 'models'), { recursive: true });
    writeFileSync(join(root(), 'models/model.json'), '{"weights": [1, 2, 3]}\n');
    let started = performance.now();
    const registered = await registerModelVersion(ports, {
      workspaceRoot: root(),
      model: 'churn',
      artifactPath: join(root(), 'models/model.json'),
      runId: 'from-a-terminal',
      metrics: { accuracy: 0.91 },
      params: {},
    });
    assert.ok(registered.ok, registered.ok ? '' : registered.message);
    const shown = await eventually(
      () => exported.modelsTree(),
      (items) => row(items, 'churn')?.description === '1 version',
      30_000,
      20,
    );
    console.log(
      `[mlc-it] latency register from a terminal -> Models view: ${(performance.now() - started).toFixed(0)} ms`,
    );
    assert.ok(row(shown, 'churn'));

    started = performance.now();
    const promoted = promoteAlias(nodeFileSystem, root(), 'churn', 1, 'production');
    assert.ok(promoted.ok, promoted.ok ? '' : promoted.message);
    await eventually(
      () => exported.modelsTree(),
      (items) => row(items, 'churn')?.description === '1 version · production → v1',
      30_000,
      20,
    );
    console.log(
      `[mlc-it] latency promote from a terminal -> Models view: ${(performance.now() - started).toFixed(0)} ms`,
    );
  });
});
