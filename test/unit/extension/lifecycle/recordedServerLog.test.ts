import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeploymentHistoryEntry } from '../../../../src/engine/deploy/deploymentState';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import type { TargetEntry } from '../../../../src/extension/lifecycle/lifecycleController';
import type { LifecycleServices } from '../../../../src/extension/lifecycle/lifecycleServices';
import { recordedServerLogText, remoteHostOf } from '../../../../src/extension/lifecycle/recordedServerLog';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const pipelines = loadWorkspace(
  createMemoryFileSystem({
    '/ws/mlc.yaml': [
      'stages:',
      '  train:',
      '    cmd: python3 train.py',
      'runners:',
      '  gpu:',
      '    type: ssh',
      '    host: gpu1',
      '    workdir: /srv/work',
      'deploy:',
      '  remote:',
      '    model: churn',
      '    runner: gpu',
      '    start: python3 serve.py --model {model} --port {port}',
      '  here:',
      '    model: churn',
      '    start: python3 serve.py --model {model} --port {port}',
      '',
    ].join('\n'),
  }),
  '/ws',
).pipelines;

const attempt = (logFile: string): DeploymentHistoryEntry => ({
  when: '2026-12-03T10:00:00.000Z',
  who: 'Ada',
  action: 'deploy',
  target: 'remote',
  model: 'churn',
  version: 1,
  previousVersion: null,
  result: 'failed',
  logFile,
});

const entryOf = (target: string, logs: string[]): TargetEntry => ({
  scope: { root: '/ws', pipelines },
  overview: {
    target: pipelines[0]!.deploy.find((candidate) => candidate.name === target)!,
    running: false,
    history: logs.map(attempt),
  },
  key: target,
});

test('a remote log is read on its host by the name its target recorded, and no other file', async () => {
  const asked: string[] = [];
  const services: Pick<LifecycleServices, 'serverLogTail'> = {
    serverLogTail: (_scope, _target, logFile, lines) => {
      asked.push(`${logFile} ${lines}`);
      return Promise.resolve({ ok: true, value: ['Serving on port 40123', 'GET /health 200'] });
    },
  };
  const log = '/srv/work/.mlc/deployments/remote/server-v1-2026-12-03T10-00-00.000Z.log';
  const entry = entryOf('remote', [log]);
  assert.equal(remoteHostOf(entry), 'gpu');
  assert.equal(remoteHostOf(entryOf('here', [])), undefined);
  const text = await recordedServerLogText(entry, 'server-v1-2026-12-03T10-00-00.000Z.log', services, new Date(0));
  assert.deepEqual(text.split('\n').slice(1), ['Serving on port 40123', 'GET /health 200', '']);
  assert.match(
    text.split('\n')[0]!,
    /^# \/srv\/work\/\.mlc\/deployments\/remote\/server-v1-.*\.log on gpu: the last 5000 lines/,
  );
  assert.deepEqual(asked, [`${log} 5000`]);

  // Names the records do not hold (another file on the host, a path) are never read.
  for (const name of ['.bashrc', '../../../../etc/passwd', '/etc/passwd', 'server-v9-x.log']) {
    assert.match(
      await recordedServerLogText(entry, name, services, new Date(0)),
      /^No server log named .* is recorded for remote\./,
    );
  }
  assert.equal(asked.length, 1);
});

test('a host that cannot be asked is said in the document, not thrown', async () => {
  const services: Pick<LifecycleServices, 'serverLogTail'> = {
    serverLogTail: () => Promise.resolve({ ok: false, message: 'cannot reach gpu1: Connection refused' }),
  };
  const entry = entryOf('remote', ['/srv/work/.mlc/deployments/remote/server-v1-a.log']);
  assert.equal(
    await recordedServerLogText(entry, 'server-v1-a.log', services, new Date(0)),
    'The server log /srv/work/.mlc/deployments/remote/server-v1-a.log on gpu could not be read: cannot reach gpu1: Connection refused\n',
  );
});
