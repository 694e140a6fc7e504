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
import { freePort, freePorts, skipUnlessInstalled, startService } from '../support/loopbackServices';

/**
 * The Slurm runner against a real one-node cluster (scripts/services/slurm-up.sh: munged,
 * slurmctld, slurmd on loopback), with sbatch on this machine: the churn train stage end to end,
 * a failing job, cancel (scancel), a job over its time limit (TIMEOUT), an unknown partition and
 * a hostile stage name.
 */
const skip = skipUnlessInstalled('slurm');

/** A cluster on ports picked free, as the sshd's: two runs on one machine must not meet on one port. */
async function startCluster(): Promise<Record<string, string>> {
  const [controllerPort, nodePort] = await freePorts(2);
  return startService('slurm', { SVC_SLURMCTLD_PORT: String(controllerPort), SVC_SLURMD_PORT: String(nodePort) });
}

describe('slurm runner on a loopback cluster', { skip, timeout: 600_000 }, () => {
  let slurm: Record<string, string> = {};
  const temp = tempFolder;
  before(async () => {
    slurm = await startCluster();
  });
  const env = () => ({ SLURM_CONF: slurm.SLURM_CONF! });
  const runnerYaml = (options: Record<string, string> = {}) =>
    runnerEntry('hpc', { type: 'slurm', partition: slurm.SVC_SLURM_PARTITION!, ...options });
  const oneStage = (cmd: string, extra = '', runner = runnerYaml(), name = 's') => {
    const root = temp('mlc-slurm-ws-');
    writeFileSync(
      join(root, 'mlc.yaml'),
      `stages:\n  ${JSON.stringify(name)}:\n    cmd: ${JSON.stringify(cmd)}\n    runner: hpc\n${extra}runners:\n${runner}`,
    );
    return root;
  };
  const runJson = async (root: string) => {
    const result = await runMlc(root, ['run', '--json'], env());
    return { ...result, json: JSON.parse(result.stdout || '{}') as { status: string; stages: StageJson[] } };
  };
  const jobState = (jobId: string) =>
    /JobState=(\S+)/.exec(
      execFileSync('scontrol', ['show', 'job', '-o', jobId], { env: { ...process.env, ...env() }, encoding: 'utf8' }),
    )?.[1];

  test('the churn train stage runs as a batch job: output streamed, outs, run and lock as a local run', async () => {
    const slurmRoot = temp('mlc-churn-slurm-');
    const localRoot = temp('mlc-churn-local-');
    churnCopies(slurmRoot, localRoot, 'hpc', runnerYaml({ time: '10', cpus: '1' }));
    const result = await runMlc(slurmRoot, ['run', 'train', '--json'], env());
    assert.equal(result.code, 0, result.stderr);
    const train = (JSON.parse(result.stdout) as { stages: StageJson[] }).stages.find(
      (stage) => stage.address === 'train',
    )!;
    assert.equal(train.status, 'succeeded');
    assert.equal(train.runner, 'hpc');
    assert.match(train.jobId ?? '', /^\d+$/);
    assert.equal(jobState(train.jobId!), 'COMPLETED');
    assert.match(result.stderr, /\[train\] \[slurm\] job \d+ (PENDING|RUNNING)/);
    assert.match(result.stderr, /\[train\] epoch/, 'the job output is streamed');
    const local = await runMlc(localRoot, ['run', 'train', '--runner', 'local']);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(lockEntry(slurmRoot, 'train'), lockEntry(localRoot, 'train'));
    const runs = readdirSync(join(slurmRoot, '.mlc/runs'));
    assert.match(readFileSync(join(slurmRoot, '.mlc/runs', runs.at(-1)!, 'metrics.jsonl'), 'utf8'), /val_accuracy/);
  });

  test('a second cluster on this machine gets its own ports: each configuration reaches its own controller', async () => {
    const second = await startCluster();
    const controllerOf = (conf: string) => {
      const config = execFileSync('scontrol', ['show', 'config'], {
        env: { ...process.env, SLURM_CONF: conf },
        encoding: 'utf8',
      });
      return {
        port: /^SlurmctldPort\s*=\s*(\d+)/m.exec(config)?.[1],
        state: /^StateSaveLocation\s*=\s*(\S+)/m.exec(config)?.[1],
      };
    };
    const first = controllerOf(slurm.SLURM_CONF!);
    const other = controllerOf(second.SLURM_CONF!);
    assert.notEqual(first.port, other.port);
    assert.equal(first.state, join(slurm.SVC_SLURM_DIR!, 'state'));
    assert.equal(other.state, join(second.SVC_SLURM_DIR!, 'state'));
  });

  test('the runner check (ML: Check Runners) asks sbatch and sinfo here: version and partitions, or why not', async (t) => {
    const hpc = {
      runner: { name: 'hpc', type: 'slurm' as const, options: {}, position: { line: 0, column: 0 } },
    };
    const savedConf = process.env.SLURM_CONF;
    t.after(() => (savedConf === undefined ? delete process.env.SLURM_CONF : (process.env.SLURM_CONF = savedConf)));
    process.env.SLURM_CONF = slurm.SLURM_CONF!;
    const reachable = await checkRunner(hpc);
    assert.equal(reachable.reachable, true);
    assert.match(reachable.reachable ? reachable.detail : '', /^slurm\S* \S+ on this machine · partitions .*\S/);
    assert.ok(reachable.reachable && reachable.detail.includes(slurm.SVC_SLURM_PARTITION!));
    // A configuration naming a controller nobody listens on: sinfo fails, and says so.
    const deadConf = join(temp('mlc-slurm-conf-'), 'slurm.conf');
    writeFileSync(
      deadConf,
      readFileSync(slurm.SLURM_CONF!, 'utf8').replace(/^SlurmctldPort=.*$/m, `SlurmctldPort=${await freePort()}`),
    );
    process.env.SLURM_CONF = deadConf;
    const unreachable = await checkRunner(hpc);
    assert.equal(unreachable.reachable, false);
    assert.match(unreachable.reachable ? '' : unreachable.message, /sinfo on this machine failed/);
  });

  test('a foreach group is submitted as one job array, throttled by -j, each member following its task', async () => {
    const root = temp('mlc-slurm-array-');
    writeFileSync(
      join(root, 'mlc.yaml'),
      'stages:\n  part:\n    foreach: [a, b, c]\n    do:\n' +
        '      cmd: echo "$SLURM_ARRAY_JOB_ID $SLURM_ARRAY_TASK_ID ${item}" > out-${item}.txt\n' +
        '      outs:\n        - out-${item}.txt\n      runner: hpc\n' +
        `runners:\n${runnerYaml()}`,
    );
    const result = await runMlc(root, ['run', '-j', '1', '--json'], env());
    assert.equal(result.code, 0, result.stderr);
    const stages = (JSON.parse(result.stdout) as { stages: StageJson[] }).stages;
    assert.deepEqual(
      stages.map((stage) => [stage.address, stage.status]),
      [
        ['part@a', 'succeeded'],
        ['part@b', 'succeeded'],
        ['part@c', 'succeeded'],
      ],
    );
    const tasks = stages.map((stage) => /^(\d+)_(\d)$/.exec(stage.jobId ?? '') ?? []);
    const arrayId = tasks[0]?.[1];
    assert.ok(arrayId, `array task ids expected, got ${stages.map((stage) => stage.jobId).join(', ')}`);
    assert.deepEqual(
      tasks.map((task) => task[1]),
      [arrayId, arrayId, arrayId],
    );
    assert.deepEqual(tasks.map((task) => task[2]).sort(), ['0', '1', '2']);
    // Each member ran its own command as its own task of the one array.
    stages.forEach((stage, index) => {
      const item = stage.address.split('@')[1]!;
      const written = readFileSync(join(root, `out-${item}.txt`), 'utf8').trim();
      assert.equal(written, `${arrayId} ${tasks[index]![2]} ${item}`);
    });
    const record = execFileSync('scontrol', ['show', 'job', '-o', `${arrayId}_0`], {
      env: { ...process.env, ...env() },
      encoding: 'utf8',
    });
    assert.match(record, /ArrayTaskThrottle=1\b/);
  });

  test('a failing job fails the stage with its exit code', async () => {
    const { code, json } = await runJson(oneStage('echo boom >&2; exit 3'));
    assert.equal(code, 1);
    assert.equal(json.stages[0]!.status, 'failed');
    assert.equal(json.stages[0]!.exitCode, 3);
    assert.equal(json.stages[0]!.failure?.code, 'exitCode');
  });

  test('cancel scancels the job', async () => {
    const root = oneStage('echo started; sleep 300');
    const mlc = startMlc(root, ['run', '--json'], env(), { detached: true });
    await waitFor(() => mlc.output.stderr.includes('[s] started'), 60_000, 'the job to start');
    process.kill(-mlc.child.pid!, 'SIGINT');
    const result = await mlc.done;
    assert.equal(result.code, 1);
    const stage = (JSON.parse(result.stdout) as { stages: StageJson[] }).stages[0]!;
    assert.equal(stage.status, 'cancelled');
    assert.equal(jobState(stage.jobId!), 'CANCELLED');
  });

  test('an unknown partition and a hostile stage name', async () => {
    const unknown = await runJson(oneStage('true', '', runnerYaml({ partition: 'nope' })));
    assert.equal(unknown.json.stages[0]!.failure?.code, 'partitionUnknown');
    assert.match(unknown.json.stages[0]!.failure!.message, /partition 'nope'/);
    const name = `x$(touch pwned)'q"; touch pwned`;
    const root = oneStage('printf "%s" "$MLC_STAGE" > out.txt', '    outs: [out.txt]\n', runnerYaml(), name);
    const hostile = await runJson(root);
    assert.equal(hostile.code, 0, hostile.stderr);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), name);
    for (const folder of [root, process.env.HOME ?? '/root', tmpdir()])
      assert.equal(existsSync(join(folder, 'pwned')), false, `nothing ran in ${folder}`);
  });

  test('via an ssh runner: deps sent to the login node, the job submitted there, outs back', async () => {
    const ssh = startService('ssh', {
      SVC_SSH_PORT: String(await freePort()),
      SVC_SSHD_SETENV: `SLURM_CONF=${slurm.SLURM_CONF!}`,
    });
    const workdir = join(temp('mlc-login-'), 'work');
    const root = oneStage(
      'tr a-z A-Z < in.txt > out.txt; echo converted',
      '    deps: [in.txt]\n    outs: [out.txt]\n',
      `${runnerYaml({ via: 'login', workdir })}${runnerEntry('login', loopbackSshOptions(ssh))}`,
    );
    writeFileSync(join(root, 'in.txt'), 'hello\n');
    // Without SLURM_CONF here: sbatch must run on the login node.
    const result = await runMlc(root, ['run', '--json'], { SLURM_CONF: '/nonexistent' });
    assert.equal(result.code, 0, result.stderr);
    const stage = (JSON.parse(result.stdout) as { stages: StageJson[] }).stages[0]!;
    assert.equal(stage.status, 'succeeded');
    assert.equal(jobState(stage.jobId!), 'COMPLETED');
    assert.match(result.stderr, /\[s\] converted/);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'HELLO\n');
    assert.ok(existsSync(join(workdir, 'in.txt')), 'the dep went to the workdir');
  });

  test('via an ssh runner, a foreach group is one job array too: each member’s deps sent, its outs back', async () => {
    const ssh = startService('ssh', {
      SVC_SSH_PORT: String(await freePort()),
      SVC_SSHD_SETENV: `SLURM_CONF=${slurm.SLURM_CONF!}`,
    });
    const root = temp('mlc-slurm-array-via-');
    writeFileSync(
      join(root, 'mlc.yaml'),
      'stages:\n  shout:\n    foreach: [a, b]\n    do:\n' +
        '      cmd: tr a-z A-Z < in-${item}.txt > out-${item}.txt\n' +
        '      deps:\n        - in-${item}.txt\n      outs:\n        - out-${item}.txt\n      runner: hpc\n' +
        `runners:\n${runnerYaml({ via: 'login', workdir: join(temp('mlc-login-'), 'work') })}` +
        runnerEntry('login', loopbackSshOptions(ssh)),
    );
    for (const item of ['a', 'b']) writeFileSync(join(root, `in-${item}.txt`), `hello ${item}\n`);
    const result = await runMlc(root, ['run', '-j', '1', '--json'], { SLURM_CONF: '/nonexistent' });
    assert.equal(result.code, 0, result.stderr);
    const stages = (JSON.parse(result.stdout) as { stages: StageJson[] }).stages;
    const arrayIds = new Set(stages.map((stage) => /^(\d+)_[01]$/.exec(stage.jobId ?? '')?.[1]));
    assert.equal(arrayIds.size, 1, `one array, got ${stages.map((stage) => stage.jobId).join(', ')}`);
    assert.notEqual(
      [...arrayIds][0],
      undefined,
      `array task ids expected, got ${stages.map((stage) => stage.jobId).join(', ')}`,
    );
    assert.equal(readFileSync(join(root, 'out-a.txt'), 'utf8'), 'HELLO A\n');
    assert.equal(readFileSync(join(root, 'out-b.txt'), 'utf8'), 'HELLO B\n');
  });

  test('a job over its time limit ends as TIMEOUT, shown as timedOut', async () => {
    // Slurm's limits are in whole minutes and checked about every 30 s: this takes 1-2 minutes.
    const { code, json, stderr } = await runJson(oneStage('sleep 600', '', runnerYaml({ time: '1' })));
    assert.equal(code, 1);
    assert.equal(json.stages[0]!.failure?.code, 'timedOut');
    assert.match(json.stages[0]!.failure!.message, /TIMEOUT/);
    assert.match(stderr, /\[slurm\] job \d+ TIMEOUT/);
  });
});
