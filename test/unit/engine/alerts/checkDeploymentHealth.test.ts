import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDeploymentHealth } from '../../../../src/engine/alerts/checkDeploymentHealth';
import { writeCurrentDeployment } from '../../../../src/engine/deploy/deploymentState';
import { DeployHostError } from '../../../../src/engine/deploy/ports';
import { createFakeDeployHost } from '../../../support/deployFakes';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

test('a deployment is notDeployed without current.json, down when its server is gone or unhealthy, up when it answers', async () => {
  const fs = createMemoryFileSystem();
  const { host, servers } = createFakeDeployHost((command) => (command.includes('sick') ? 'silent' : 'healthy'));
  assert.deepEqual(await checkDeploymentHealth({ fs, host }, '/ws', 'api'), { state: 'notDeployed' });

  const deploy = async (command: string, port: number) => {
    const pid = await host.start(command, { cwd: '/ws', logFile: '/ws/server.log' });
    writeCurrentDeployment(fs, '/ws', {
      target: 'api',
      model: 'churn',
      version: 1,
      pid,
      commandLine: (await host.commandLineOf(pid))!,
      command,
      port,
      healthUrl: `http://127.0.0.1:${port}/health`,
      host: 'local',
      startedAt: '2026-12-03T00:00:00.000Z',
      logFile: '/ws/server.log',
    });
    return pid;
  };
  const pid = await deploy('serve --port 8601', 8601);
  assert.deepEqual(await checkDeploymentHealth({ fs, host }, '/ws', 'api'), { state: 'up' });

  servers.get(pid)!.alive = false;
  assert.deepEqual(await checkDeploymentHealth({ fs, host }, '/ws', 'api'), {
    state: 'down',
    reason: `its server process (pid ${pid}) is no longer running`,
  });

  await deploy('serve sick --port 8602', 8602);
  assert.deepEqual(await checkDeploymentHealth({ fs, host }, '/ws', 'api'), {
    state: 'down',
    reason: 'http://127.0.0.1:8602/health did not answer (ECONNREFUSED)',
  });
});

test('a deployment whose host does not answer is down, with the reason', async () => {
  const fs = createMemoryFileSystem();
  const { host } = createFakeDeployHost(() => 'healthy');
  writeCurrentDeployment(fs, '/ws', {
    target: 'api',
    model: 'churn',
    version: 1,
    pid: 4242,
    commandLine: 'sh -c serve',
    command: 'serve',
    port: 8601,
    healthUrl: 'http://127.0.0.1:8601/health',
    host: 'local',
    startedAt: '2026-12-03T00:00:00.000Z',
    logFile: '/ws/server.log',
  });
  const unreachable = {
    ...host,
    commandLineOf: (): Promise<string | undefined> =>
      Promise.reject(new DeployHostError('cannot reach ada@gpu1: Connection refused')),
  };
  assert.deepEqual(await checkDeploymentHealth({ fs, host: unreachable }, '/ws', 'api'), {
    state: 'down',
    reason: 'cannot reach ada@gpu1: Connection refused',
  });
});
