import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunnerConfig } from '../../../../src/engine/pipeline/model';
import { chooseRunner } from '../../../../src/engine/runners/chooseRunner';
import { classifySshFailure } from '../../../../src/engine/runners/classifyRemoteFailure';
import { killGroupScript, launchScript, prepareScript } from '../../../../src/engine/runners/remoteScripts';
import { remoteStageContext, remoteWorkdir } from '../../../../src/engine/runners/remoteStage';
import {
  classifySbatchFailure,
  parseSlurmJobState,
  sbatchArguments,
  slurmArrayGroup,
  slurmArrayJobScript,
  slurmJobName,
  slurmJobScript,
  slurmPhase,
  submitScript,
} from '../../../../src/engine/runners/slurmJob';
import { aStage } from '../../../support/builders';
import { makeTempDir } from '../../../support/tempDir';

const position = { line: 1, column: 1 };
const box: RunnerConfig = { name: 'box', type: 'ssh', options: { host: 'gpu' }, position };
const cluster: RunnerConfig = { name: 'hpc', type: 'slurm', options: { via: 'box' }, position };

describe('chooseRunner', () => {
  const stage = { ...aStage({ pipelineFile: '/ws/mlc.yaml' }), runner: 'box' };
  test('--runner beats the stage, the stage beats the default, local is last', () => {
    const own = chooseRunner(stage, [box]);
    assert.ok(own.ok && own.runner.name === 'box');
    const forced = chooseRunner(stage, [box], { override: 'local' });
    assert.ok(forced.ok && forced.runner.type === 'local');
    const plain = aStage({ pipelineFile: '/ws/mlc.yaml' });
    const fallback = chooseRunner(plain, [box], { fallback: 'box' });
    assert.ok(fallback.ok && fallback.runner.name === 'box');
    const local = chooseRunner(plain, [box]);
    assert.ok(local.ok && local.runner.name === 'local');
  });
  test('an undeclared runner and a slurm via that is not ssh are refused with a sentence', () => {
    const unknown = chooseRunner({ ...stage, runner: 'gpu-bx' }, [box]);
    assert.ok(!unknown.ok && /'gpu-bx' is not declared under runners .*known: local, box/.test(unknown.message));
    const viaSsh = chooseRunner({ ...stage, runner: 'hpc' }, [box, cluster]);
    assert.ok(viaSsh.ok && viaSsh.via?.name === 'box');
    const viaNothing = chooseRunner({ ...stage, runner: 'hpc' }, [cluster]);
    assert.ok(!viaNothing.ok && /must be an ssh runner/.test(viaNothing.message));
  });
});

describe('remote stage files and workdir', () => {
  test('deps and params go up, outs come back, plots live, non-persist outs are cleared', () => {
    const stage = aStage({
      pipelineFile: '/ws/sub/mlc.yaml',
      deps: ['src/a.py', '../data/raw.csv', '../../outside.csv'],
      params: ['lr'],
      outs: ['model.json', { path: 'log.csv', kind: 'plot' }, { path: 'keep', persist: true }],
    });
    const context = remoteStageContext({ runner: box }, 'sub/mlc.yaml:train', stage, '/ws', { A: '1' });
    assert.equal(context.wdir, 'sub');
    assert.deepEqual(context.uploads, ['sub/src/a.py', 'data/raw.csv', 'sub/params.yaml']);
    assert.deepEqual(context.downloads, ['sub/model.json', 'sub/log.csv', 'sub/keep']);
    assert.deepEqual(context.livePlots, ['sub/log.csv']);
    assert.deepEqual(context.clearOuts, ['sub/model.json', 'sub/log.csv']);
  });
  test('~/x and x are the same folder below home; no workdir is .mlc-remote/<workspace>', () => {
    const withWorkdir = (workdir: string) => ({ ...box, options: { ...box.options, workdir } });
    assert.equal(remoteWorkdir(withWorkdir('~/work/churn'), '/ws'), 'work/churn');
    assert.equal(remoteWorkdir(withWorkdir('/scratch/x/'), '/ws'), '/scratch/x/');
    assert.equal(remoteWorkdir(box, '/home/me/churn'), '.mlc-remote/churn');
  });
});

describe('remote scripts', () => {
  test('a hostile workdir, out path and variables stay text for sh', () => {
    const hostile = `w $(touch pwned) \`touch pwned\` 'q" ;touch pwned`;
    const stage = aStage({ pipelineFile: '/ws/mlc.yaml', outs: [hostile] });
    const context = remoteStageContext({ runner: box }, hostile, stage, '/ws', { [hostile]: hostile, OK: hostile });
    const launch = launchScript(context, hostile, 'true', 'tok', hostile);
    assert.equal(spawnSync('sh', ['-n', '-c', launch]).status, 0, 'the launch script is valid sh');
    assert.match(launch, /export OK='w \$\(touch pwned\)/, 'a variable value is quoted');
    assert.ok(!launch.includes(`export ${hostile}`), 'a name that is not a shell variable is not sent');
    // Run the prepare script for real, with a temp folder as home: it makes the workdir as written.
    const home = makeTempDir('mlc-remote-home-');
    const ran = spawnSync('sh', ['-c', prepareScript(context, hostile, 'tok')], {
      env: { ...process.env, HOME: home },
      cwd: home,
      encoding: 'utf8',
    });
    assert.match(ran.stderr, /@mlc-tok (ready|rsync-missing)/);
    assert.ok(existsSync(join(home, hostile, '.mlc-remote')));
    assert.deepEqual(
      readdirSync(home, { recursive: true }).filter((path) => basename(String(path)) === 'pwned'),
      [],
      'nothing was executed',
    );
  });
  test('kill signals the process group and never group 0, 1 or -1', () => {
    assert.equal(killGroupScript(4242, 'TERM'), 'kill -TERM -4242 2>/dev/null; true');
    assert.equal(killGroupScript(1, 'KILL'), 'true');
    assert.equal(killGroupScript(-1, 'KILL'), 'true');
  });
});

describe('classifySshFailure', () => {
  test("OpenSSH's messages become the failure a user can act on", () => {
    const cases: [string, string][] = [
      ['@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.', 'hostKeyChanged'],
      ['No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.', 'hostKeyChanged'],
      ['root@127.0.0.1: Permission denied (publickey).', 'authRefused'],
      ['ssh: connect to host 127.0.0.1 port 1: Connection refused', 'hostUnreachable'],
      ['ssh: Could not resolve hostname nope: Name or service not known', 'hostUnreachable'],
    ];
    for (const [stderr, code] of cases) assert.equal(classifySshFailure('h', stderr)?.code, code, stderr);
    assert.equal(classifySshFailure('h', 'something else'), undefined);
  });
});

describe('slurm jobs', () => {
  const hpc: RunnerConfig = {
    name: 'hpc',
    type: 'slurm',
    options: { partition: 'gpu', time: '02:00:00', cpus: 4, mem: '8G', gres: 'gpu:1', account: 'a b', qos: 'q' },
    position,
  };
  test('every Slurm state maps to queued (with its reason), running, or how the job ended', () => {
    const phase = (text: string) => {
      const state = parseSlurmJobState('job', text);
      assert.ok(state, text);
      return slurmPhase(state, '7');
    };
    assert.deepEqual(phase('JobId=7 JobName=x JobState=PENDING Reason=Resources Dependency=(null)'), {
      phase: 'queued',
      reason: 'Resources',
    });
    assert.deepEqual(phase('JobId=7 JobState=RUNNING Reason=None ExitCode=0:0'), { phase: 'running' });
    assert.deepEqual(phase('JobId=7 JobState=COMPLETED Reason=None ExitCode=0:0'), { phase: 'ended', exitCode: 0 });
    assert.deepEqual(phase('JobId=7 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0'), {
      phase: 'ended',
      exitCode: 3,
    });
    assert.deepEqual(phase('JobId=7 JobState=CANCELLED Reason=None ExitCode=0:15'), {
      phase: 'ended',
      cancelled: true,
    });
    const timeout = phase('JobId=7 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15');
    assert.ok(timeout.phase === 'ended' && timeout.timedOut && timeout.failure?.code === 'timedOut');
    assert.match(timeout.phase === 'ended' ? (timeout.failure?.message ?? '') : '', /TIMEOUT.*TimeLimit/);
    for (const [state, pattern] of [
      ['OUT_OF_MEMORY', /out of memory/],
      ['PREEMPTED', /preempted/],
      ['NODE_FAIL', /node failed/],
    ] as const) {
      const ended = phase(`JobId=7 JobState=${state} Reason=None ExitCode=0:9`);
      assert.ok(ended.phase === 'ended' && ended.failure?.code === 'jobFailed', state);
      assert.match(ended.phase === 'ended' ? (ended.failure?.message ?? '') : '', pattern);
    }
    assert.deepEqual(parseSlurmJobState('acct', 'CANCELLED by 0|0:15|None'), {
      state: 'CANCELLED',
      exitCode: 0,
      signal: 15,
    });
  });
  test('resources become sbatch options, each one word; the job name never carries shell syntax', () => {
    const name = slurmJobName(`x$(touch pwned)'q"; y`);
    assert.match(name, /^mlc-[A-Za-z0-9._@-]+$/);
    const args = sbatchArguments(hpc, name, 'o.out', 'e.err');
    assert.deepEqual(args.slice(5), [
      '--partition=gpu',
      '--time=02:00:00',
      '--cpus-per-task=4',
      '--mem=8G',
      '--gres=gpu:1',
      '--account=a b',
      '--qos=q',
    ]);
    const script = submitScript('/w $(x)', args, 'echo hi\n', 'tok');
    assert.match(script, /'--account=a b'/);
    assert.match(script, /cd -- '\/w \$\(x\)'/);
    assert.equal(
      classifySbatchFailure('sbatch: error: invalid partition specified: nope', hpc).code,
      'partitionUnknown',
    );
    assert.equal(classifySbatchFailure('sbatch: error: something', hpc).code, 'submitFailed');
  });

  test('a job array script runs the member of its task id, each in its own folder with its own command', () => {
    const folder = makeTempDir('mlc-array-');
    const member = (item: string) =>
      slurmJobScript(
        { ...remoteStageContext({ runner: hpc }, `part@${item}`, aStage({ name: 'part' }), '/ws', { ITEM: item }) },
        `echo "$ITEM it's $(pwd)"`,
        '.',
      );
    const script = slurmArrayJobScript([member('a'), member("b'; touch pwned #")]);
    const task = (id: string) =>
      spawnSync('sh', ['-c', script], { cwd: folder, env: { SLURM_ARRAY_TASK_ID: id }, encoding: 'utf8' });
    assert.equal(task('0').stdout, `a it's ${folder}\n`);
    assert.equal(task('1').stdout, `b'; touch pwned # it's ${folder}\n`);
    assert.equal(task('2').status, 1);
    assert.equal(existsSync(join(folder, 'pwned')), false);
  });

  test('only a one-command foreach/matrix member without retries on a slurm runner joins an array', () => {
    const member = { ...aStage({ name: 'part@a', cmd: 'x' }), group: 'part' };
    const onSlurm = { ok: true as const, runner: hpc };
    assert.equal(slurmArrayGroup(member, onSlurm), `hpc\0${member.pipelineFile}\0part`);
    assert.equal(slurmArrayGroup({ ...member, group: undefined }, onSlurm), undefined);
    assert.equal(slurmArrayGroup({ ...member, retries: 1 }, onSlurm), undefined);
    assert.equal(slurmArrayGroup({ ...member, cmd: ['x', 'y'] }, onSlurm), undefined);
    assert.equal(slurmArrayGroup(member, { ok: true, runner: box }), undefined);
  });
});
