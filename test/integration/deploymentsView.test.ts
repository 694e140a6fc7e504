// Deployment records written by another process (what `mlc deploy` and `mlc undeploy` in a
// terminal write) reach the Deployments view through the workspace watcher, with the view hidden
// (no health round re-reads them). The latency from the write to the view is printed, never asserted.
// A deployment that goes down between runs fires mlc.yaml's `deployment:` alert once, into the
// audit log, with no view open (the status bar item is shown, so health rounds run).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  /** The audit log's alerts about the deployment `local`. */
  const deploymentAlerts = () => {
    const file = join(root(), '.mlc/audit.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; data: { deployment?: string; message?: string } })
      .filter((entry) => entry.type === 'alert' && entry.data.deployment === 'local');
  };

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

  it('a deployment that goes down between runs fires its deployment: alert once, into the audit log', async () => {
    const pipelineFile = join(root(), 'mlc.yaml');
    const pipeline = readFileSync(pipelineFile, 'utf8');
    writeFileSync(pipelineFile, pipeline.replace('\nalerts:\n', '\nalerts:\n  - { deployment: local }\n'));
    try {
      await exported.whenIdle();
      const server = startServer();
      servers.push(server);
      recordDeploy(server.pid!, 1);
      await eventually(
        () => exported.deploymentStatusText(),
        (text) => text === '$(pulse) local v1',
      );
      assert.deepEqual(deploymentAlerts(), [], 'up: no alert');

      // The server dies; nothing writes a record: only a health round can notice.
      process.kill(-server.pid!, 'SIGKILL');
      await eventually(
        () => exported.deploymentStatusText(),
        (text) => text === '$(error) local down',
        60_000,
      );
      const alerts = await eventually(
        () => deploymentAlerts(),
        (entries) => entries.length > 0,
        60_000,
      );
      assert.match(
        alerts[0]!.data.message ?? '',
        /^the deployment local is down: its server process \(pid \d+\) is no longer running$/,
      );
      // Two more rounds (the poll interval is 5 s) of the same outage add nothing.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      assert.equal(deploymentAlerts().length, 1, 'one alert per outage');
    } finally {
      writeFileSync(pipelineFile, pipeline);
      clearCurrentDeployment(nodeFileSystem, root(), 'local');
    }
  });
});
