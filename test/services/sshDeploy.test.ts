import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loopbackSshOptions, runnerEntry, tempFolder } from './runnerWorkspaces';
import { repoRoot, runMlc } from '../support/mlcCli';
import { breakTraining, expectCode, fetchHealth, killServerGroups } from '../support/churnDeploy';
import { freePort, skipUnlessInstalled, startService } from '../support/loopbackServices';
import { createLifecycleServices } from '../../src/extension/createLifecycleServices';
import { createNodeGitClient } from '../../src/node/deploy/nodeGitClient';
import { deployHostOfTarget } from '../../src/node/deploy/createDeployPorts';
import { loadWorkspace } from '../../src/engine/pipeline/loadWorkspace';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';

/**
 * Deploying on an ssh runner's host against a real sshd on 127.0.0.1 (scripts/services/sshd-up.sh):
 * the churn example's real model server (src/serve.py) started on the host from the version's copy
 * sent to the runner's workdir, a broken version, blue-green switches, rollback, undeploy, and
 * hostile names. The host is this machine, so the test can check its processes and files directly.
 */
const skip = skipUnlessInstalled('ssh');

interface Current {
  version: number;
  pid: number;
  host: string;
  commandLine: string;
  healthUrl: string;
  logFile: string;
}

const serverGroups = new Set<number>();
// Whatever a failing test left running: stop every server group a deploy started.
after(() => killServerGroups(serverGroups));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('deploy on an ssh runner on a loopback sshd', { skip, timeout: 600_000 }, () => {
  let ssh: Record<string, string> = {};
  before(async () => {
    ssh = startService('ssh', { SVC_SSH_PORT: String(await freePort()) });
  });

  /** The churn example (no per-epoch delay) with ssh runners and deploy targets on them. */
  const churnOnSsh = (runners: Record<string, Record<string, string>>, targets: string) => {
    const root = tempFolder('mlc-sshdeploy-');
    for (const path of ['src', 'data/raw.csv', 'params.yaml', 'mlc.yaml']) {
      cpSync(join(repoRoot, 'examples/churn', path), join(root, path), {
        recursive: true,
        filter: (from) => !from.includes('__pycache__'),
      });
    }
    const params = readFileSync(join(root, 'params.yaml'), 'utf8').replace(/epoch_delay: .*/, 'epoch_delay: 0');
    writeFileSync(join(root, 'params.yaml'), params);
    const runnerYaml = Object.entries(runners)
      .map(([name, options]) => runnerEntry(name, { ...loopbackSshOptions(ssh), connect_timeout: '5', ...options }))
      .join('');
    const pipeline = readFileSync(join(root, 'mlc.yaml'), 'utf8')
      .replace('runners:\n', `runners:\n${runnerYaml}`)
      .replace('\nalerts:', `${targets}\nalerts:`);
    writeFileSync(join(root, 'mlc.yaml'), pipeline);
    return root;
  };
  const target = (name: string, runner: string) =>
    `  ${JSON.stringify(name)}:\n    model: churn\n    runner: ${runner}\n    start: python3 src/serve.py --model {model} --port {port}\n    health: http://127.0.0.1:{port}/health\n`;
  const current = (root: string, name: string): Current => {
    const value = JSON.parse(readFileSync(join(root, '.mlc/deployments', name, 'current.json'), 'utf8')) as Current;
    serverGroups.add(value.pid);
    return value;
  };
  const registerNewestRun = async (root: string) => {
    const runs = JSON.parse(expectCode(await runMlc(root, ['runs', '--json']), 0, 'runs').stdout) as {
      runs: { id: string }[];
    };
    expectCode(await runMlc(root, ['register', 'churn', '--run', runs.runs[0]!.id]), 0, 'register');
  };
  test('deploy, a broken version keeps the previous serving, blue-green switch, rollback, undeploy: all on the host', async () => {
    const workdir = join(tempFolder('mlc-sshdeploy-host-'), 'work');
    const root = churnOnSsh({ box: { workdir } }, target('remote', 'box'));
    expectCode(await runMlc(root, ['run']), 0, 'run');
    await registerNewestRun(root);

    const deployed = expectCode(await runMlc(root, ['deploy', 'remote']), 0, 'deploy v1');
    assert.match(deployed.stdout, /Deployed v1 to remote/);
    const v1 = current(root, 'remote');
    assert.equal(v1.host, `${ssh.SVC_SSH_USER}@127.0.0.1:${ssh.SVC_SSH_PORT}`, 'the host is recorded');
    assert.ok(isAlive(v1.pid));
    assert.ok(v1.commandLine.includes(`${workdir}/.mlc/registry/churn/versions/1/model.json`), v1.commandLine);
    const up = await fetchHealth(v1.healthUrl);
    assert.equal(up.status, 200);
    assert.equal(up.body.model, `${workdir}/.mlc/registry/churn/versions/1/model.json`, 'the copy on the host serves');
    assert.ok(existsSync(join(workdir, 'src/serve.py')), 'the start command’s code was sent');
    assert.ok(existsSync(join(workdir, 'src/features.py')), 'with the modules beside it');
    assert.match(v1.logFile, /\/\.mlc\/deployments\/remote\/server-v1-[^/]+\.log$/);
    assert.ok(v1.logFile.startsWith(`${workdir}/`), v1.logFile);

    breakTraining(root, true);
    expectCode(await runMlc(root, ['run']), 0, 'run broken');
    await registerNewestRun(root);
    const broken = expectCode(await runMlc(root, ['deploy', 'remote', '--health-timeout', '20']), 1, 'deploy v2');
    assert.match(broken.stdout, /Deploy of v2 to remote failed: the start command exited with code 1/);
    assert.match(broken.stdout, /trained on other features/, 'the last log lines came from the host');
    assert.equal(current(root, 'remote').pid, v1.pid, 'v1 still recorded');
    assert.equal((await fetchHealth(v1.healthUrl)).status, 200, 'v1 still serves');

    breakTraining(root, false);
    expectCode(await runMlc(root, ['run']), 0, 'run fixed');
    await registerNewestRun(root);
    expectCode(await runMlc(root, ['deploy', 'remote', '--version', '3']), 0, 'deploy v3');
    const v3 = current(root, 'remote');
    assert.match((await fetchHealth(v3.healthUrl)).body.model ?? '', /versions\/3\/model\.json$/);
    assert.equal(isAlive(v1.pid), false, 'the blue-green switch stopped v1 on the host');

    const rolledBack = expectCode(await runMlc(root, ['rollback', 'remote']), 0, 'rollback');
    assert.match(rolledBack.stdout, /Deployed v1 to remote/);
    const back = current(root, 'remote');
    assert.match((await fetchHealth(back.healthUrl)).body.model ?? '', /versions\/1\/model\.json$/);
    assert.equal(isAlive(v3.pid), false);

    const listed = JSON.parse(expectCode(await runMlc(root, ['deployments', '--json']), 0, 'deployments').stdout) as {
      deployments: { target: string; version: number | null; health: string }[];
    };
    assert.deepEqual(
      listed.deployments.map((row) => [row.target, row.version, row.health]),
      [
        ['local', null, 'not deployed'],
        ['remote', 1, 'up'],
      ],
    );

    const undeployed = expectCode(await runMlc(root, ['undeploy', 'remote']), 0, 'undeploy');
    assert.match(undeployed.stdout, /remote: v1 stopped/);
    assert.equal(isAlive(back.pid), false, 'the process is gone on the host');
    assert.equal((await fetchHealth(back.healthUrl)).status, 0);
    assert.equal(existsSync(join(root, '.mlc/deployments/remote/current.json')), false);
  });

  test("the extension's lifecycle services deploy, check, probe, roll back and undeploy an ssh target without blocking", async () => {
    const workdir = join(tempFolder('mlc-sshdeploy-host-'), 'work');
    const root = churnOnSsh({ box: { workdir } }, target('remote', 'box'));
    // v1 and v3 serve; v2 was trained on a renamed feature, which src/serve.py refuses at load.
    for (const broken of [false, true, false]) {
      breakTraining(root, broken);
      expectCode(await runMlc(root, ['run']), 0, broken ? 'run broken' : 'run');
      await registerNewestRun(root);
    }
    // What the extension host holds: the workspace's pipelines and createLifecycleServices.
    const services = createLifecycleServices(() => createNodeGitClient());
    const scope = { root, pipelines: loadWorkspace(nodeFileSystem, root).pipelines };
    const progress: string[] = [];
    const report = (line: string) => progress.push(line);
    /** A target's overview; the event loop must turn while the host is asked (an ssh child process, never a blocking call). */
    const overviewOf = async (name: string) => {
      let turned = false;
      setImmediate(() => (turned = true));
      const overviews = await services.deployments(scope);
      assert.ok(turned, 'the extension host kept running while the ssh host was asked');
      return overviews.find((overview) => overview.target.name === name)!;
    };

    const first = await services.deploy(scope, 'remote', 1, report);
    assert.ok(first.ok && first.value.ok, JSON.stringify(first));
    assert.ok(
      progress.some((line) => /Starting churn v1 on port \d+/.test(line)),
      progress.join('\n'),
    );
    const v1 = current(root, 'remote');
    assert.equal(v1.host, `${ssh.SVC_SSH_USER}@127.0.0.1:${ssh.SVC_SSH_PORT}`);
    const up = await overviewOf('remote');
    assert.equal(up.running, true, 'the pid was found running on the host');
    assert.equal(up.recorded?.version, 1);
    assert.equal((await services.probe(scope, 'remote', v1.healthUrl)).ok, true, 'probed on the host');

    const second = await services.deploy(scope, 'remote', 3, report);
    assert.ok(second.ok && second.value.ok, JSON.stringify(second));
    const v3 = current(root, 'remote');
    assert.equal(isAlive(v1.pid), false, 'blue-green stopped v1 on the host');

    const broken = await services.deploy(scope, 'remote', 2, report);
    assert.ok(broken.ok && !broken.value.ok, JSON.stringify(broken));
    assert.match(broken.value.reason ?? '', /exited with code 1 before it was healthy/);
    assert.match(broken.value.reason ?? '', /trained on other features/, 'the last log lines came from the host');
    assert.doesNotMatch(broken.value.reason ?? '', /versions\/3\/model\.json \(sha256/, "none of v3's log lines");
    // Open Server Log of an ssh target: the failed start's log, read on the host.
    const failedLog = broken.value.logFile!;
    assert.ok(failedLog.startsWith(`${workdir}/`), failedLog);
    const tail = await services.serverLogTail(scope, 'remote', failedLog, 50);
    assert.ok(tail.ok && tail.value.some((line) => /trained on other features/.test(line)), JSON.stringify(tail));
    assert.equal(current(root, 'remote').pid, v3.pid, 'v3 keeps serving');
    assert.equal((await overviewOf('remote')).rollbackVersion, 1);

    const rolledBack = await services.rollback(scope, 'remote', report);
    assert.ok(rolledBack.ok && rolledBack.value.ok, JSON.stringify(rolledBack));
    const back = current(root, 'remote');
    assert.match((await fetchHealth(back.healthUrl)).body.model ?? '', /versions\/1\/model\.json$/);
    assert.equal(isAlive(v3.pid), false);

    const undeployed = await services.undeploy(scope, 'remote', report);
    assert.deepEqual(undeployed, { ok: true, value: 'remote: v1 stopped.' });
    assert.equal(isAlive(back.pid), false, 'the process is gone on the host');
    // Nothing recorded: no question for the host this time.
    const after = (await services.deployments(scope)).find((overview) => overview.target.name === 'remote')!;
    assert.equal(after.recorded, undefined);
    assert.equal(after.rollbackVersion, undefined, 'no Roll Back after an undeploy');
  });

  test('the lifecycle services report an ssh host that does not answer as unreachable, not as a crash', async () => {
    const closedPort = String(await freePort());
    const root = churnOnSsh({ gone: { port: closedPort } }, target('unreachable', 'gone'));
    mkdirSync(join(root, '.mlc/deployments/unreachable'), { recursive: true });
    writeFileSync(
      join(root, '.mlc/deployments/unreachable/current.json'),
      JSON.stringify({
        target: 'unreachable',
        model: 'churn',
        version: 1,
        pid: 4242,
        commandLine: 'sh -c serve',
        command: 'serve',
        port: 8601,
        healthUrl: 'http://127.0.0.1:8601/health',
        host: `${ssh.SVC_SSH_USER}@127.0.0.1:${closedPort}`,
        startedAt: '2026-12-03T00:00:00.000Z',
        logFile: 'server.log',
      }),
    );
    const services = createLifecycleServices(() => createNodeGitClient());
    const scope = { root, pipelines: loadWorkspace(nodeFileSystem, root).pipelines };
    const overview = (await services.deployments(scope)).find((entry) => entry.target.name === 'unreachable')!;
    assert.equal(overview.running, false);
    assert.match(overview.unreachable ?? '', /Connection refused/);
  });

  test('a hostile workdir never reaches the remote shell as code; a hostile target name is refused', async () => {
    const hostileWorkdir = join(tempFolder('mlc-sshdeploy-host-'), `w $(touch pwned) \`touch pwned\` 'q" ;touch pwned`);
    const hostileName = `x$(touch pwned)'q"; touch pwned`;
    const root = churnOnSsh(
      { evil: { workdir: hostileWorkdir } },
      `${target('hostile', 'evil')}${target(hostileName, 'evil')}`,
    );
    expectCode(await runMlc(root, ['run']), 0, 'run');
    await registerNewestRun(root);
    const refused = expectCode(await runMlc(root, ['deploy', hostileName]), 2, 'deploy under a hostile name');
    assert.match(refused.stderr, /cannot be a deploy target name/);

    expectCode(await runMlc(root, ['deploy', 'hostile']), 0, 'deploy into a hostile workdir');
    const served = current(root, 'hostile');
    assert.equal(
      (await fetchHealth(served.healthUrl)).body.model,
      `${hostileWorkdir}/.mlc/registry/churn/versions/1/model.json`,
      'the workdir is used exactly as written',
    );
    expectCode(await runMlc(root, ['undeploy', 'hostile']), 0, 'undeploy');
    assert.equal(isAlive(served.pid), false);
    for (const folder of [root, hostileWorkdir, join(hostileWorkdir, '..'), process.env.HOME ?? '/root', tmpdir()])
      assert.equal(existsSync(join(folder, 'pwned')), false, `nothing ran in ${folder}`);
  });

  test('old server logs are removed on the host, whatever their names hold, and nothing beside them', async () => {
    const root = churnOnSsh({ gpu: {} }, target('logs', 'gpu'));
    const host = deployHostOfTarget(nodeFileSystem, root, 'logs');
    const folder = tempFolder('mlc-sshdeploy-logs-');
    const files = ['server-v1-a.log', 'server-v2-$(touch pwned) \'q".log', 'server-v3-c.log'].map((name) =>
      join(folder, name),
    );
    for (const file of files) writeFileSync(file, 'log\n');
    await host.removeFiles([files[0]!, files[1]!, join(folder, 'server-v9-already-gone.log')]);
    assert.deepEqual(
      [files[0], files[1], files[2]].map((file) => existsSync(file!)),
      [false, false, true],
    );
    assert.equal(existsSync(join(folder, 'pwned')), false);
    assert.equal(existsSync(join(process.env.HOME ?? '/root', 'pwned')), false);
  });

  test('clear errors: host unreachable, a slurm runner refused', async () => {
    const closedPort = String(await freePort());
    const root = churnOnSsh({ gone: { port: closedPort } }, target('unreachable', 'gone'));
    writeFileSync(
      join(root, 'mlc.yaml'),
      readFileSync(join(root, 'mlc.yaml'), 'utf8')
        .replace('runners:\n', 'runners:\n  cluster:\n    type: slurm\n')
        .replace('\nalerts:', `${target('batch', 'cluster')}\nalerts:`),
    );
    expectCode(await runMlc(root, ['run']), 0, 'run');
    await registerNewestRun(root);
    const unreachable = expectCode(await runMlc(root, ['deploy', 'unreachable']), 1, 'deploy to a closed port');
    assert.match(unreachable.stdout, /Deploy of v1 to unreachable failed: cannot reach .*Connection refused/);
    const slurm = expectCode(await runMlc(root, ['deploy', 'batch']), 2, 'deploy on slurm');
    assert.match(slurm.stderr, /uses the slurm runner 'cluster': a model server runs until it is stopped/);
  });
});
