import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  churnCopies,
  lockEntry,
  loopbackSshOptions,
  runnerEntry,
  tempFolder,
  type StageJson,
} from './runnerWorkspaces';
import { checkRunner } from '../../src/node/runners/checkRunner';
import { runMlc, startMlc, waitFor } from '../support/mlcCli';
import { freePort, skipUnlessInstalled, startService } from '../support/loopbackServices';

/**
 * The SSH runner against a real sshd on 127.0.0.1 (scripts/services/sshd-up.sh): the churn
 * example's train stage end to end, failures, cancel, timeout, hostile names, each error a user
 * meets, and a connection cut mid-run (last: it stops the server).
 */
const skip = skipUnlessInstalled('ssh');

describe('ssh runner on a loopback sshd', { skip, timeout: 600_000 }, () => {
  let ssh: Record<string, string> = {};
  const temp = tempFolder;
  before(async () => {
    ssh = startService('ssh', { SVC_SSH_PORT: String(await freePort()) });
  });

  const runnerYaml = (name: string, overrides: Record<string, string> = {}) =>
    runnerEntry(name, {
      ...loopbackSshOptions(ssh),
      workdir: join(temp('mlc-remote-'), 'work'),
      connect_timeout: '5',
      ...overrides,
    });
  /** A small pipeline with one stage on the runner `box`. */
  const oneStage = (cmd: string, extra = '', runner = runnerYaml('box'), name = 's') => {
    const root = temp('mlc-ssh-ws-');
    writeFileSync(
      join(root, 'mlc.yaml'),
      `stages:\n  ${JSON.stringify(name)}:\n    cmd: ${JSON.stringify(cmd)}\n    runner: box\n${extra}runners:\n${runner}`,
    );
    return root;
  };
  const runJson = async (root: string, args: string[] = []) => {
    const result = await runMlc(root, ['run', '--json', ...args]);
    return { ...result, json: JSON.parse(result.stdout || '{}') as { status: string; stages: StageJson[] } };
  };

  test('the churn train stage runs on the host: outs back, output streamed, run and lock as a local run', async () => {
    const remoteRoot = temp('mlc-churn-ssh-');
    const localRoot = temp('mlc-churn-local-');
    churnCopies(remoteRoot, localRoot, 'box', runnerYaml('box'));
    const remote = await runMlc(remoteRoot, ['run', 'train', '--json']);
    assert.equal(remote.code, 0, remote.stderr);
    const record = JSON.parse(remote.stdout) as { status: string; stages: StageJson[] };
    const train = record.stages.find((stage) => stage.address === 'train')!;
    assert.equal(train.status, 'succeeded');
    assert.equal(train.runner, 'box');
    assert.equal(train.host, `${ssh.SVC_SSH_USER}@127.0.0.1:${ssh.SVC_SSH_PORT}`);
    assert.match(remote.stderr, /\[train\] epoch/, 'the remote output is streamed to the terminal');
    for (const out of ['models/model.json', 'metrics/train.json', 'logs/train.csv'])
      assert.ok(existsSync(join(remoteRoot, out)), `${out} came back`);
    const local = await runMlc(localRoot, ['run', 'train', '--runner', 'local']);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(lockEntry(remoteRoot, 'train'), lockEntry(localRoot, 'train'), 'same lock entry as a local run');
    assert.deepEqual(train.outs, lockedOuts(localRoot));
    const runs = readdirSync(join(remoteRoot, '.mlc/runs'));
    const log = readFileSync(join(remoteRoot, '.mlc/runs', runs.at(-1)!, 'logs/train.log'), 'utf8');
    assert.match(log, /epoch/, 'the remote output is in the run log');
    const metrics = readFileSync(join(remoteRoot, '.mlc/runs', runs.at(-1)!, 'metrics.jsonl'), 'utf8');
    assert.match(metrics, /val_accuracy/, 'the plot file series reached the run');
    const again = await runMlc(remoteRoot, ['run', 'train']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /up to date/, 'a stage run remotely is up to date afterwards');
  });

  test("a plot file's metrics reach the run while the command still runs remotely", async () => {
    const root = oneStage(
      'printf \'step,loss\\n\' > log.csv; for i in 1 2 3 4 5 6 7 8; do echo "$i,0.$i" >> log.csv; sleep 1; done',
      '    plots:\n      - log.csv: { x: step, y: loss }\n',
    );
    const mlc = startMlc(root, ['run', '--json']);
    const metricsFile = await waitFor(
      () => {
        const runs = existsSync(join(root, '.mlc/runs')) ? readdirSync(join(root, '.mlc/runs')) : [];
        const file = runs[0] && join(root, '.mlc/runs', runs[0], 'metrics.jsonl');
        return file && existsSync(file) && readFileSync(file, 'utf8').includes('loss') ? file : undefined;
      },
      60_000,
      'a live metric point',
    );
    assert.equal(mlc.child.exitCode, null, 'the stage is still running');
    assert.doesNotMatch(mlc.output.stderr, /✔ s/);
    const result = await mlc.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(metricsFile, 'utf8').match(/loss/g)?.length, 8, 'every row once');
  });

  test('a failing command fails the stage with its exit code and its stderr', async () => {
    const root = oneStage('echo boom >&2; exit 3');
    const { code, json } = await runJson(root);
    assert.equal(code, 1);
    assert.equal(json.stages[0]!.status, 'failed');
    assert.equal(json.stages[0]!.exitCode, 3);
    assert.equal(json.stages[0]!.failure?.code, 'exitCode');
    const run = readdirSync(join(root, '.mlc/runs'))[0]!;
    assert.match(readFileSync(join(root, '.mlc/runs', run, 'logs/s.log'), 'utf8'), /boom/);
  });

  test('a stage over its timeout has its remote process group killed', async () => {
    const root = oneStage('echo $$ > pid; sleep 60 & wait', '    timeout: 2s\n');
    const { code, json } = await runJson(root);
    assert.equal(code, 1);
    assert.equal(json.stages[0]!.failure?.code, 'timedOut');
    const workdir = remoteWorkdirOf(root);
    await waitFor(
      () => !isAlive(Number(readFileSync(join(workdir, 'pid'), 'utf8'))),
      20_000,
      'the remote group to die',
    );
  });

  test('cancel (Ctrl-C) kills the remote process group and records the stage cancelled', async () => {
    const root = oneStage('echo $$ > pid; echo started; sleep 120 & wait');
    const mlc = startMlc(root, ['run', '--json'], {}, { detached: true });
    await waitFor(() => mlc.output.stderr.includes('[s] started'), 60_000, 'the remote stage to start');
    const pid = Number(readFileSync(join(remoteWorkdirOf(root), 'pid'), 'utf8'));
    assert.ok(isAlive(pid));
    process.kill(-mlc.child.pid!, 'SIGINT');
    const result = await mlc.done;
    assert.equal(result.code, 1);
    const json = JSON.parse(result.stdout) as { stages: StageJson[] };
    assert.equal(json.stages[0]!.status, 'cancelled');
    await waitFor(() => !isAlive(pid), 20_000, 'the remote process to die');
  });

  test('a hostile stage name, workdir and env never reach the remote shell as code', async () => {
    const hostileWorkdir = join(temp('mlc-remote-'), `w $(touch pwned) \`touch pwned\` 'q" ;touch pwned`);
    const name = `x$(touch pwned)'q"; touch pwned`;
    const root = oneStage(
      'printf "%s" "$MLC_STAGE" > out.txt',
      `    outs: [out.txt]\n    env: { HOSTILE: "$(touch pwned)'" }\n`,
      runnerYaml('box', { workdir: hostileWorkdir }),
      name,
    );
    const { code, stderr, json } = await runJson(root);
    assert.equal(code, 0, stderr);
    assert.equal(json.stages[0]!.status, 'succeeded');
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), name);
    assert.ok(existsSync(join(hostileWorkdir, 'out.txt')), 'the workdir is used exactly as written');
    for (const folder of [root, hostileWorkdir, join(hostileWorkdir, '..'), process.env.HOME ?? '/root', tmpdir()])
      assert.equal(existsSync(join(folder, 'pwned')), false, `nothing ran in ${folder}`);
  });

  test('clear errors: host unreachable, auth refused, host key changed, workdir not writable', async () => {
    const closedPort = String(await freePort());
    const unreachable = await runJson(oneStage('true', '', runnerYaml('box', { port: closedPort })));
    assert.equal(unreachable.json.stages[0]!.failure?.code, 'hostUnreachable');
    assert.match(unreachable.json.stages[0]!.failure!.message, /cannot reach .*Connection refused/);

    const strangerKey = join(temp('mlc-key-'), 'id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    const refused = await runJson(oneStage('true', '', runnerYaml('box', { identity_file: strangerKey })));
    assert.equal(refused.json.stages[0]!.failure?.code, 'authRefused');

    const otherHostKey = join(temp('mlc-key-'), 'host');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherHostKey]);
    const knownHosts = join(temp('mlc-kh-'), 'known_hosts');
    const publicKey = readFileSync(`${otherHostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${ssh.SVC_SSH_PORT} ${publicKey}\n`);
    const sshConfig = join(temp('mlc-kh-'), 'ssh_config');
    writeFileSync(sshConfig, `Host *\n  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile /dev/null\n`);
    const changed = await runJson(oneStage('true', '', runnerYaml('box', { ssh_config: sshConfig })));
    assert.equal(changed.json.stages[0]!.failure?.code, 'hostKeyChanged');
    assert.match(changed.json.stages[0]!.failure!.message, /host key of .* changed/);

    const notWritable = await runJson(oneStage('true', '', runnerYaml('box', { workdir: '/proc/mlc-cannot-be-here' })));
    assert.equal(notWritable.json.stages[0]!.failure?.code, 'workdirNotWritable');
    for (const outcome of [unreachable, refused, changed, notWritable]) assert.equal(outcome.code, 1);
  });

  test('the runner check (ML: Check Runners) says reachable, or why not: refused port, refused key', async () => {
    const asRunner = (overrides: Record<string, string> = {}) => ({
      runner: {
        name: 'box',
        type: 'ssh' as const,
        options: { ...loopbackSshOptions(ssh), connect_timeout: '5', ...overrides },
        position: { line: 0, column: 0 },
      },
    });
    const reachable = await checkRunner(asRunner());
    assert.deepEqual(reachable, {
      reachable: true,
      detail: `${ssh.SVC_SSH_USER}@${ssh.SVC_SSH_HOST}:${ssh.SVC_SSH_PORT}`,
    });
    const closed = await checkRunner(asRunner({ port: String(await freePort()) }));
    assert.equal(closed.reachable, false);
    assert.match(closed.reachable ? '' : closed.message, /cannot reach .*Connection refused/);
    const strangerKey = join(temp('mlc-key-'), 'id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    const refused = await checkRunner(asRunner({ identity_file: strangerKey }));
    assert.equal(refused.reachable, false);
    assert.match(refused.reachable ? '' : refused.message, /refused|denied/i);
  });

  test('an unknown --runner is bad usage', async () => {
    const result = await runMlc(oneStage('true'), ['run', '--runner', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown runner 'nope'/);
  });

  // Last: it stops the server.
  test('a connection cut mid-run (sshd killed) fails the stage as connectionLost, never succeeded', async () => {
    const root = oneStage('echo $$ > pid; echo started; sleep 30; touch done', '    outs: [done]\n');
    const mlc = startMlc(root, ['run', '--json']);
    await waitFor(() => mlc.output.stderr.includes('[s] started'), 60_000, 'the remote stage to start');
    const pid = Number(readFileSync(join(remoteWorkdirOf(root), 'pid'), 'utf8'));
    try {
      killSshd(Number(ssh.SVC_SSHD_PID));
      const result = await mlc.done;
      assert.equal(result.code, 1);
      const json = JSON.parse(result.stdout) as { stages: StageJson[] };
      assert.equal(json.stages[0]!.status, 'failed');
      assert.equal(json.stages[0]!.failure?.code, 'connectionLost');
      assert.match(json.stages[0]!.failure!.message, /connection to .* was lost/);
      assert.equal(existsSync(join(root, 'done')), false);
    } finally {
      // The command outlives its connection (setsid): end its whole process group here.
      if (isAlive(pid)) process.kill(-processGroupOf(pid), 'SIGKILL');
    }
  });
});

function lockedOuts(root: string): Record<string, string> {
  const entry = lockEntry(root, 'train');
  const outs = entry.slice(entry.indexOf('outs:'));
  return Object.fromEntries(
    [...outs.matchAll(/- path: (\S+)\n\s+hash: md5\n\s+md5: (\w+)/g)].map((m) => [m[1]!, m[2]!]),
  );
}

function remoteWorkdirOf(root: string): string {
  const text = readFileSync(join(root, 'mlc.yaml'), 'utf8');
  return JSON.parse(/workdir: (".*")/.exec(text)![1]!) as string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Kills the listener and every per-connection sshd it forked: the connection drops at once. */
function killSshd(listener: number): void {
  const children = execFileSync('sh', ['-c', `pgrep -P ${listener} || true`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of [listener, ...children]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
