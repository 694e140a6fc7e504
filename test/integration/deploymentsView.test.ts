// Deployment records written by another process (what `mlc deploy` and `mlc undeploy` in a
// terminal write) reach the Deployments view through the workspace watcher, with the view hidden
// (no health round re-reads them). The latency from the write to the view is printed, never asserted.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  appendDeploymentHistory,
  clearCurrentDeployment,
  deploymentFolder,
  writeCurrentDeployment,
} from '../../src/engine/deploy/deploymentState';
import type { MlcExtensionApi, TreeItemSnapshot } from '../../src/extension/extensionApi';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { api } from './support/activatedApi';
import { eventually } from './support/eventually';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const row = (items: TreeItemSnapshot[], target: string) => items.find((item) => item.label === target);

/** A detached stand-in for a model server, as `mlc deploy` leaves one: its own process group. */
function startServer(): ChildProcess {
  const child = spawn('/bin/sh', ['-c', 'sleep 600'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

/** What a deploy from a terminal writes: a history line, then current.json. */
function recordDeploy(pid: number, version: number): void {
  const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
  const when = new Date().toISOString();
  appendDeploymentHistory(nodeFileSystem, root(), {
    when,
    who: 'Ada <ada@example.org>',
    action: 'deploy',
    target: 'local',
    model: 'churn',
    version,
    previousVersion: null,
    result: 'succeeded',
  });
  writeCurrentDeployment(nodeFileSystem, root(), {
    target: 'local',
    model: 'churn',
    version,
    pid,
    commandLine,
    command: 'sleep 600',
    port: null,
    healthUrl: null,
    host: 'local',
    startedAt: when,
    logFile: join(deploymentFolder(root(), 'local'), 'server.log'),
  });
}

describe('Deployments made outside the window', function () {
  this.timeout(120_000);
  let exported: MlcExtensionApi;
  const servers: ChildProcess[] = [];

  before(async () => {
    exported = await api();
  });

  after(() => {
    for (const server of servers) {
      try {
        process.kill(-server.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    rmSync(deploymentFolder(root(), 'local'), { recursive: true, force: true });
  });

  it('a deploy and an undeploy from a terminal show in the Deployments view without any refresh', async () => {
    const before = await eventually(
      () => exported.deploymentsTree(),
      (items) => row(items, 'local') !== undefined,
    );
    assert.match(row(before, 'local')!.description, /^not deployed/);

    const server = startServer();
    servers.push(server);
    let started = performance.now();
    recordDeploy(server.pid!, 1);
    const deployed = await eventually(
      () => exported.deploymentsTree(),
      (items) => /^churn v1 · up/.test(row(items, 'local')?.description ?? ''),
      30_000,
      20,
    );
    console.log(
      `[mlc-it] latency deploy from a terminal -> Deployments view: ${(performance.now() - started).toFixed(0)} ms`,
    );
    assert.equal(row(deployed, 'local')!.contextValue, 'mlcDeployment');
    assert.equal(exported.deploymentStatusText(), '$(pulse) local v1');

    started = performance.now();
    process.kill(-server.pid!, 'SIGTERM');
    clearCurrentDeployment(nodeFileSystem, root(), 'local');
    const undeployed = await eventually(
      () => exported.deploymentsTree(),
      (items) => /^not deployed/.test(row(items, 'local')?.description ?? ''),
      30_000,
      20,
    );
    console.log(
      `[mlc-it] latency undeploy from a terminal -> Deployments view: ${(performance.now() - started).toFixed(0)} ms`,
    );
    assert.equal(row(undeployed, 'local')!.contextValue, 'mlcDeploymentIdle');
  });
});
