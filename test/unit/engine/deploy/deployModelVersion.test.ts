import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployModelVersion, undeployTarget } from '../../../../src/engine/deploy/deployModelVersion';
import { basename } from 'node:path';
import {
  KEPT_SERVER_LOGS,
  previousHealthyVersion,
  readCurrentDeployment,
  readDeploymentHistory,
  serverLogsToPrune,
} from '../../../../src/engine/deploy/deploymentState';
import type { DeployTargetConfig } from '../../../../src/engine/pipeline/model';
import { readRegisteredModel, registerModelVersion } from '../../../../src/engine/registry/modelRegistry';
import { createFakeDeployHost, createFakeHasher } from '../../../support/deployFakes';
import { DeployHostError } from '../../../../src/engine/deploy/ports';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const root = '/ws';

/** A workspace with versions 1 (good) and 2 (a model the server refuses, per `behaviour`). */
async function setup(start: string, behaviour: (command: string) => 'healthy' | 'exits' | 'silent') {
  const fs = createMemoryFileSystem({ [`${root}/models/model.json`]: 'good' });
  const fake = createFakeDeployHost(behaviour);
  const audit: string[] = [];
  const ports = {
    fs,
    hasher: createFakeHasher(fs),
    git: { state: () => Promise.resolve({ commit: 'c0ffee', dirty: false, user: 'Ada <ada@example.org>' }) },
    clock: fake.host.clock,
    host: fake.host,
    progress: () => undefined,
    audit: (type: string, data: Readonly<Record<string, unknown>>) => {
      audit.push(`${type} ${String(data.result ?? '')}`.trim());
      return Promise.resolve();
    },
  };
  for (const content of ['good', 'broken']) {
    fs.writeFileAtomic(`${root}/models/model.json`, content);
    await registerModelVersion(ports, {
      workspaceRoot: root,
      model: 'churn',
      artifactPath: `${root}/models/model.json`,
      runId: content,
      metrics: { accuracy: 0.9 },
      params: {},
    });
  }
  const target: DeployTargetConfig = {
    name: 'local',
    model: 'churn',
    runner: 'local',
    start,
    health: start.includes('{port}') ? 'http://127.0.0.1:{port}/health' : 'http://127.0.0.1:8601/health',
    gates: [{ metric: 'accuracy', min: 0.8 }],
    position: { line: 1, column: 1 },
  };
  const deploy = (version: number, action: 'deploy' | 'rollback' = 'deploy') => {
    const model = readRegisteredModel(fs, root, 'churn');
    return deployModelVersion(ports, {
      workspaceRoot: root,
      commandRoot: root,
      target,
      model,
      version: model.versions.find((record) => record.version === version)!,
      action,
      healthTimeoutMs: 5_000,
    });
  };
  return { fs, fake, ports, target, deploy, audit };
}

const brokenExits = (command: string) => (command.includes('/versions/2/') ? 'exits' : 'healthy');
const brokenSilent = (command: string) => (command.includes('/versions/2/') ? 'silent' : 'healthy');

test('blue-green: the new version starts on a free port beside the old one, which stops only after', async () => {
  const { fs, fake, deploy } = await setup('python3 serve.py --model {model} --port {port}', () => 'healthy');
  const first = await deploy(1);
  assert.equal(first.ok, true);
  const second = await deploy(2);
  assert.equal(second.ok, true);
  assert.equal(second.previousVersion, 1);
  const current = readCurrentDeployment(fs, root, 'local')!;
  assert.equal(current.version, 2);
  assert.equal(current.port, 40_001);
  assert.equal(current.healthUrl, 'http://127.0.0.1:40001/health');
  assert.match(current.command, /\/ws\/\.mlc\/registry\/churn\/versions\/2\/model\.json --port 40001$/);
  assert.deepEqual(fake.stopped, [first.current!.pid]);
  assert.deepEqual(
    second.gates.map((gate) => [gate.gate, gate.passed]),
    [
      ['accuracy >= 0.8', true],
      ['smoke test', true],
    ],
  );
});

test('blue-green: a version that exits leaves the old one serving, untouched, with its last log lines', async () => {
  const { fs, fake, deploy, audit } = await setup('serve --model {model} --port {port}', brokenExits);
  const first = await deploy(1);
  const failed = await deploy(2);
  assert.equal(failed.ok, false);
  assert.match(failed.reason!, /exited with code 1 before it was healthy/);
  assert.match(failed.reason!, /SystemExit: bad model/);
  assert.equal(readCurrentDeployment(fs, root, 'local')!.pid, first.current!.pid);
  assert.equal(fake.servers.get(first.current!.pid)!.alive, true);
  assert.deepEqual(fake.stopped, []);
  assert.deepEqual(
    readDeploymentHistory(fs, root, 'local').map((entry) => [entry.version, entry.result]),
    [
      [1, 'succeeded'],
      [2, 'failed'],
    ],
  );
  assert.deepEqual(audit, ['gate', 'deploy succeeded', 'gate', 'deploy failed']);
});

test("a failed start's last log lines are its own, not the previous server's; its log is recorded", async () => {
  const { fs, fake, deploy } = await setup('serve --model {model} --port {port}', brokenExits);
  const first = await deploy(1);
  const failed = await deploy(2);
  assert.equal(failed.ok, false);
  const lastLines = failed
    .reason!.split('last log lines:\n')[1]!
    .split('\n')
    .map((line) => line.trim());
  assert.deepEqual(lastLines, ['Traceback (most recent call last):', 'SystemExit: bad model']);
  assert.notEqual(failed.logFile, first.current!.logFile);
  assert.match(failed.logFile!, /\/\.mlc\/deployments\/local\/server-v2-1970-01-01T00-00-\d\d\.\d{3}Z\.log$/);
  assert.equal(readDeploymentHistory(fs, root, 'local').at(-1)!.logFile, failed.logFile);
  assert.deepEqual(fake.logs.get(first.current!.logFile), [`serving ${first.current!.command}`]);
});

test('fixed port: old stops, new never gets healthy, old is started again and serves', async () => {
  const { fs, fake, deploy } = await setup('serve --model {model} --port 8601', brokenSilent);
  const first = await deploy(1);
  const failed = await deploy(2);
  assert.equal(failed.ok, false);
  assert.match(
    failed.reason!,
    /health not reached within 5 s at http:\/\/127\.0\.0\.1:8601\/health \(last answer: ECONNREFUSED\)/,
  );
  assert.match(failed.reason!, /v1 was started again and serves/);
  const current = readCurrentDeployment(fs, root, 'local')!;
  assert.equal(current.version, 1);
  assert.notEqual(current.pid, first.current!.pid);
  assert.equal(fake.servers.get(current.pid)!.alive, true);
  assert.equal([...fake.servers.values()].filter((server) => server.alive).length, 1);
});

test('fixed port taken by a stranger: the reason names the port and the old version comes back', async () => {
  const { fs, fake, deploy } = await setup('serve --model {model} --port 8601', () => 'healthy');
  await deploy(1);
  fake.busyPorts.add(8601);
  const failed = await deploy(2);
  assert.equal(failed.ok, false);
  assert.match(failed.reason!, /port 8601 is in use by another process/);
  assert.match(failed.reason!, /v1 was started again and serves/);
  assert.equal(readCurrentDeployment(fs, root, 'local')?.version, 1);
  assert.equal([...fake.servers.values()].filter((server) => server.command.includes('/versions/2/')).length, 0);
});

test('a failing gate starts nothing and keeps the previous version', async () => {
  const { fs, fake, deploy } = await setup('serve --model {model} --port {port}', () => 'healthy');
  await deploy(1);
  fs.writeFileAtomic(
    `${root}/.mlc/registry/churn/versions/2/version.json`,
    fs.readText(`${root}/.mlc/registry/churn/versions/2/version.json`).replace('"accuracy": 0.9', '"accuracy": 0.5'),
  );
  const failed = await deploy(2);
  assert.equal(failed.ok, false);
  assert.match(failed.reason!, /gate failed: accuracy >= 0.8: 0.5 fails \(below 0.8\)/);
  assert.equal(fake.servers.size, 1);
  assert.equal(readCurrentDeployment(fs, root, 'local')!.version, 1);
});

test('a recycled pid is never signalled: undeploy checks the recorded command line first', async () => {
  const { fs, fake, ports, target, deploy } = await setup('serve --model {model} --port {port}', () => 'healthy');
  const first = await deploy(1);
  const recorded = readCurrentDeployment(fs, root, 'local')!;
  fs.writeFileAtomic(
    `${root}/.mlc/deployments/local/current.json`,
    JSON.stringify({ ...recorded, commandLine: 'vim notes.txt' }),
  );
  const outcome = await undeployTarget(ports, { workspaceRoot: root, target });
  assert.match(outcome.message, /was no longer running; nothing to stop/);
  assert.equal(fake.servers.get(first.current!.pid)!.alive, true);
  assert.equal(readCurrentDeployment(fs, root, 'local'), undefined);
});

test('rollback target: the last version that deployed successfully before the current one', () => {
  const entry = (version: number, result: 'succeeded' | 'failed', action: 'deploy' | 'rollback' = 'deploy') => ({
    when: '',
    who: '',
    action,
    target: 'local',
    model: 'churn',
    version,
    previousVersion: null,
    result,
  });
  assert.equal(previousHealthyVersion([entry(1, 'succeeded'), entry(2, 'succeeded'), entry(3, 'failed')], 2), 1);
  assert.equal(
    previousHealthyVersion([entry(1, 'succeeded'), entry(2, 'succeeded'), entry(1, 'succeeded', 'rollback')], 1),
    2,
  );
  assert.equal(previousHealthyVersion([entry(1, 'succeeded')], 1), undefined);
});

test('a remote host gets the model copy and the code the start command names, and runs it under its own root', async () => {
  const { fs, fake, deploy } = await setup('python3 src/serve.py --model {model} --port {port}', () => 'healthy');
  fs.writeFileAtomic(`${root}/src/serve.py`, 'print()');
  const placed: string[][] = [];
  const started: { command: string; cwd: string; logFile: string }[] = [];
  const start = fake.host.start.bind(fake.host);
  Object.assign(fake.host, {
    name: 'ada@gpu1',
    place: (_workspace: string, paths: readonly string[]) => {
      placed.push([...paths]);
      return Promise.resolve({ ok: true, root: '/home/ada/work dir' });
    },
    start: (command: string, options: { cwd: string; logFile: string }) => {
      started.push({ command, ...options });
      return start(command, options);
    },
  });
  const outcome = await deploy(1);
  assert.equal(outcome.ok, true, outcome.reason);
  assert.deepEqual(placed[0], ['.mlc/registry/churn/versions/1/model.json', 'src']);
  assert.match(
    started[0]!.command,
    /--model '\/home\/ada\/work dir\/\.mlc\/registry\/churn\/versions\/1\/model\.json'/,
  );
  assert.equal(started[0]!.cwd, '/home/ada/work dir');
  assert.match(started[0]!.logFile, /^\/home\/ada\/work dir\/\.mlc\/deployments\/local\/server-v1-[^/]+\.log$/);
  assert.equal(readCurrentDeployment(fs, root, 'local')!.host, 'ada@gpu1');
});

test('a host that cannot take the files fails the deploy with its reason and starts nothing', async () => {
  const { fake, deploy } = await setup('python3 serve.py --model {model} --port {port}', () => 'healthy');
  Object.assign(fake.host, {
    place: () => Promise.resolve({ ok: false, reason: 'cannot reach ada@gpu1: Connection refused' }),
  });
  const outcome = await deploy(1);
  assert.equal(outcome.ok, false);
  assert.match(outcome.reason ?? '', /cannot reach ada@gpu1: Connection refused/);
  assert.equal(fake.servers.size, 0);
});

test('a deployment recorded on another host is never looked up by pid here', async () => {
  const { fs, fake, deploy, ports, target } = await setup(
    'python3 serve.py --model {model} --port {port}',
    () => 'healthy',
  );
  assert.equal((await deploy(1)).ok, true);
  const current = readCurrentDeployment(fs, root, 'local')!;
  fs.writeFileAtomic(`${root}/.mlc/deployments/local/current.json`, JSON.stringify({ ...current, host: 'ada@gpu1' }));
  const outcome = await undeployTarget(ports, { workspaceRoot: root, target });
  assert.match(outcome.message, /was no longer running; nothing to stop/);
  assert.deepEqual(fake.stopped, []);
});

test('a host that stops answering midway fails the deploy with its message and keeps the previous version', async () => {
  const { fake, deploy } = await setup('python3 serve.py --model {model} --port {port}', () => 'healthy');
  assert.equal((await deploy(1)).ok, true);
  Object.assign(fake.host, {
    freePort: () => Promise.reject(new DeployHostError('cannot reach ada@gpu1: Connection refused')),
  });
  const outcome = await deploy(2);
  assert.equal(outcome.ok, false);
  assert.match(
    outcome.reason ?? '',
    /^cannot reach ada@gpu1: Connection refused; what serves local could not be checked/,
  );
  assert.equal(outcome.current?.version, 1);
});

test('server logs do not pile up: the oldest beyond KEPT_SERVER_LOGS go, the serving one stays', async () => {
  const { fs, fake, deploy } = await setup('serve --model {model} --port {port}', brokenExits);
  // A remote host: the server's output is there, the start's header line here; both are pruned.
  Object.assign(fake.host, { place: () => Promise.resolve({ ok: true, root: '/remote/ws' }) });
  const first = await deploy(1);
  const folder = `${root}/.mlc/deployments/local`;
  const logs = () =>
    fs
      .readDirectory(folder)
      .map((entry) => entry.name)
      .filter((name) => name.startsWith('server-'));
  // Failed starts of v2 leave v1 serving; each writes its own log.
  for (let attempt = 0; attempt < KEPT_SERVER_LOGS + 5; attempt++) {
    await fake.host.sleep(1000);
    assert.equal((await deploy(2)).ok, false);
  }
  const kept = logs();
  assert.equal(kept.length, KEPT_SERVER_LOGS);
  assert.ok(kept.includes(basename(first.current!.logFile)), 'the serving version keeps its log');
  const newest = readDeploymentHistory(fs, root, 'local').at(-1)!.logFile!;
  assert.ok(kept.includes(basename(newest)), 'the newest start keeps its log');
  // The host's copies went with them (the fake host keeps each log by its path there).
  assert.deepEqual([...fake.logs.keys()].map((path) => basename(path)).sort(), [...kept].sort());
  assert.ok([...fake.logs.keys()].every((path) => path.startsWith('/remote/ws/.mlc/deployments/local/')));
  // Nothing else in the folder is touched.
  assert.ok(fs.stat(`${folder}/current.json`));
  assert.ok(fs.stat(`${folder}/history.jsonl`));
});

test('serverLogsToPrune keeps the newest, never the serving log, and ignores names it did not write', () => {
  const names = [
    'server-v1-2026-01-01T00-00-00.000Z.log',
    'server-v2-2026-01-03T00-00-00.000Z.log',
    'server-v1-2026-01-02T00-00-00.000Z.log',
    'notes.txt',
    'server-v3-2026-01-04T00-00-00.000Z.log',
    'history.jsonl',
  ];
  // Room for the next start: 2 kept means 1 old log besides the new one.
  assert.deepEqual(serverLogsToPrune(names, undefined, 2), [
    'server-v2-2026-01-03T00-00-00.000Z.log',
    'server-v1-2026-01-02T00-00-00.000Z.log',
    'server-v1-2026-01-01T00-00-00.000Z.log',
  ]);
  // The serving log counts as one of the kept, however old.
  assert.deepEqual(serverLogsToPrune(names, 'server-v1-2026-01-01T00-00-00.000Z.log', 3), [
    'server-v2-2026-01-03T00-00-00.000Z.log',
    'server-v1-2026-01-02T00-00-00.000Z.log',
  ]);
  assert.deepEqual(serverLogsToPrune(names, undefined, 10), []);
});
