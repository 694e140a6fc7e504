import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunnerConfig } from '../../../../src/engine/pipeline/model';
import { remoteStageContext } from '../../../../src/engine/runners/remoteStage';
import type { ProcessResult } from '../../../../src/engine/scheduler/ports';
import { SshConnection } from '../../../../src/node/runners/sshConnection';
import { sshProcessRunner } from '../../../../src/node/runners/sshProcessRunner';
import { aStage } from '../../../support/builders';

/**
 * The SSH runner's round trips, against a fake `ssh` on PATH that logs each call and runs the
 * remote command here with `sh` (the real sshd is in test/services/sshRunner.test.ts). tail is
 * slowed to an hour-long poll, so a session that waited for tail's poll instead of ending with
 * the command would hang (the generous test timeout ends it).
 */
describe('ssh runner round trips', { timeout: 60_000 }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'mlc-fake-ssh-'));
  const bin = join(folder, 'bin');
  const log = join(folder, 'ssh.log');
  const root = join(folder, 'ws');
  const savedPath = process.env.PATH;
  before(() => {
    mkdirSync(bin);
    mkdirSync(root);
    const realTail = execFileSync('sh', ['-c', 'command -v tail'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'ssh'),
      [
        '#!/bin/sh',
        `case " $* " in *" -O check "*) echo check >> ${JSON.stringify(log)}; exit 0;; esac`,
        `echo session >> ${JSON.stringify(log)}`,
        // the remote command is the last argument; the login folder is this test's folder
        'for last; do :; done',
        `cd ${JSON.stringify(folder)} && exec sh -c "$last"`,
      ].join('\n'),
    );
    writeFileSync(join(bin, 'tail'), `#!/bin/sh\nexec ${realTail} "$@" -s 3600\n`);
    for (const tool of ['ssh', 'tail']) chmodSync(join(bin, tool), 0o755);
    process.env.PATH = `${bin}:${savedPath ?? '/usr/bin:/bin'}`;
  });
  after(() => {
    process.env.PATH = savedPath;
    rmSync(folder, { recursive: true, force: true });
  });

  const runner = (workdir: string): RunnerConfig => ({
    name: 'box',
    type: 'ssh',
    options: { host: 'gpu-box', workdir },
    position: { line: 1, column: 1 },
  });
  const runStage = async (connection: SshConnection, config: RunnerConfig, command: string): Promise<ProcessResult> => {
    const stage = aStage({ name: 'noop', cmd: command, pipelineFile: join(root, 'mlc.yaml'), wdir: root });
    const lines: string[] = [];
    const result = await sshProcessRunner(connection).start(
      {
        command,
        cwd: root,
        env: {},
        remote: remoteStageContext({ runner: config }, 'noop', stage, root, {}),
        onLine: (_stream, line) => lines.push(line),
      },
      new AbortController().signal,
    ).result;
    return { ...result, startError: lines.join('\n') };
  };
  const calls = () => readFileSync(log, 'utf8').trim().split('\n');

  test('a stage with nothing to upload is one ssh session that ends with its command; an open connection is not asked again', async () => {
    const config = runner(join(folder, 'work'));
    const connection = new SshConnection(config);
    const first = await runStage(connection, config, 'echo hello');
    assert.equal(first.exitCode, 0);
    assert.equal(first.startError, 'hello', 'the output came back');
    const second = await runStage(connection, config, 'echo again; exit 3');
    assert.equal(second.exitCode, 3);
    assert.equal(second.startError, 'again');
    assert.deepEqual(calls(), ['check', 'session', 'session'], 'one session per stage, one look at the connection');
  });

  test('the workdir is still prepared by that one session: not writable is said as such', async () => {
    writeFileSync(join(folder, 'file'), '');
    const config = runner(join(folder, 'file', 'work'));
    const result = await runStage(new SshConnection(config), config, 'true');
    assert.equal(result.runnerFailure?.code, 'workdirNotWritable');
    assert.match(result.runnerFailure?.message ?? '', /cannot be created or is not writable/);
  });
});
