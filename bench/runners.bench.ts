// The remote runners' own overhead against the tools they drive, on real servers on loopback
// (scripts/services: an sshd and a one-node Slurm cluster, started here and stopped at the end):
// a no-op stage on the SSH runner vs `ssh host true` over the same shared connection; a no-op stage
// on the Slurm runner vs `sbatch --wait` of the same script; rsync of an unchanged 10,000-file
// workdir. Fails with what to install when sshd, rsync or Slurm is missing.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunnerConfig } from '../src/engine/pipeline/model';
import { remoteStageContext } from '../src/engine/runners/remoteStage';
import type { ProcessRunner } from '../src/engine/scheduler/ports';
import { rsyncFiles } from '../src/node/runners/rsyncFiles';
import { slurmProcessRunner } from '../src/node/runners/slurmProcessRunner';
import { SshConnection } from '../src/node/runners/sshConnection';
import { sshProcessRunner } from '../src/node/runners/sshProcessRunner';
import { aStage } from '../test/support/builders';
import { freePort, freePorts, missingBinaries, startService } from '../test/support/loopbackServices';
import { measure } from './support/measure';
import { runBench } from './support/runBench';

const run = promisify(execFile);
const position = { line: 1, column: 1 };
const FILES = 10_000;
/** The machine is shared: its load is part of what a figure means. */
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;

void runBench('runners', async ({ tempDir, log, report }) => {
  const missing = [missingBinaries('ssh'), missingBinaries('slurm')].filter(Boolean);
  if (missing.length > 0) throw new Error(`the runner benchmarks need real servers: ${missing.join('; ')}`);
  // runBench's own SIGINT/SIGTERM handler re-raises the signal, which skips 'exit' handlers: exit
  // instead, so that startService's handlers stop the servers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  log('starting sshd and the Slurm cluster (scripts/services)');
  const ssh = startService('ssh', { SVC_SSH_PORT: String(await freePort()) });
  const [controllerPort, nodePort] = await freePorts(2);
  const slurm = startService('slurm', {
    SVC_SLURMCTLD_PORT: String(controllerPort),
    SVC_SLURMD_PORT: String(nodePort),
  });
  process.env.SLURM_CONF = slurm.SLURM_CONF!;

  const root = tempDir('workspace');
  // A Slurm job runs as another process tree and reads the workspace: it must be searchable.
  chmodSync(root, 0o755);
  const noop = aStage({ name: 'noop', cmd: 'true', pipelineFile: join(root, 'mlc.yaml'), wdir: root });
  const stageOn = async (runner: ProcessRunner, config: RunnerConfig) => {
    const remote = remoteStageContext({ runner: config }, 'noop', noop, root, {});
    const result = await runner.start({ command: 'true', cwd: root, env: {}, remote }, new AbortController().signal)
      .result;
    if (result.exitCode !== 0) throw new Error(`the no-op stage failed on ${config.name}: ${JSON.stringify(result)}`);
  };

  // --- SSH: the shared connection is open for both, as it is from a run's second stage on.
  const sshConfig: RunnerConfig = {
    name: 'box',
    type: 'ssh',
    options: {
      host: ssh.SVC_SSH_HOST!,
      port: Number(ssh.SVC_SSH_PORT),
      user: ssh.SVC_SSH_USER!,
      identity_file: ssh.SVC_SSH_KEY!,
      ssh_config: ssh.SVC_SSH_CONFIG!,
      workdir: join(tempDir('remote'), 'work'),
    },
    position,
  };
  const connection = new SshConnection(sshConfig);
  const opened = await connection.ensureMaster();
  if (opened) throw new Error(`ssh: ${opened.message}`);
  const sshRunner = sshProcessRunner(connection);
  log('no-op stage on the ssh runner vs ssh host true');
  const sshTrue = await measure(() => run('ssh', [...connection.sshOptions(), '--', connection.host, 'true']), {
    warmup: 2,
    iterations: 20,
  });
  const sshStage = await measure(() => stageOn(sshRunner, sshConfig), { warmup: 2, iterations: 20 });
  report({
    name: 'ssh: no-op stage (shared connection)',
    value: sshStage.medianMs,
    unit: 'ms',
    baseline: { name: 'ssh host true (same ControlMaster)', value: sshTrue.medianMs },
    target: { ratio: 1.5, comparison: '<=' },
    note: `p95 ${sshStage.p95Ms.toFixed(0)} ms vs ${sshTrue.p95Ms.toFixed(0)} ms; ${load()}`,
  });

  // --- rsync of an unchanged workdir: the second and later uploads send nothing.
  const data = join(root, 'data');
  for (let folder = 0; folder < FILES / 100; folder++) {
    mkdirSync(join(data, String(folder)), { recursive: true });
    for (let file = 0; file < 100; file++)
      writeFileSync(join(data, String(folder), `${file}.txt`), `${folder}-${file}\n`);
  }
  const workdir = String(sshConfig.options.workdir);
  await connection.exec(`mkdir -p ${workdir}`).result;
  log(`rsync of an unchanged ${FILES}-file workdir`);
  const upload = async () => {
    const failure = await rsyncFiles(connection, 'upload', ['data'], root, workdir);
    if (failure) throw new Error(`rsync: ${failure.message}`);
  };
  const unchanged = await measure(upload, { warmup: 1, iterations: 5 });
  const plainRsync = await measure(
    () => run('rsync', ['-rlpt', '-e', connection.rsyncShell(), `${root}/data`, `${connection.host}:${workdir}/`]),
    { warmup: 1, iterations: 5 },
  );
  report({
    name: `rsync: unchanged ${FILES.toLocaleString('en')}-file workdir`,
    value: unchanged.medianMs,
    unit: 'ms',
    baseline: { name: 'rsync -rlpt of the folder', value: plainRsync.medianMs },
    target: { value: 1000, comparison: '<=' },
    note: `p95 ${unchanged.p95Ms.toFixed(0)} ms; ${load()}`,
  });

  // --- Slurm: a no-op job submitted here (the workspace is on the cluster's file system).
  const slurmConfig: RunnerConfig = {
    name: 'hpc',
    type: 'slurm',
    options: { partition: slurm.SVC_SLURM_PARTITION! },
    position,
  };
  const slurmRunner = slurmProcessRunner(undefined);
  const script = join(root, 'noop.sh');
  writeFileSync(script, '#!/bin/sh\ntrue\n', { mode: 0o755 });
  log('no-op stage on the slurm runner vs sbatch --wait');
  const sbatchWait = await measure(
    () =>
      run(
        'sbatch',
        ['--wait', '--parsable', `--partition=${slurm.SVC_SLURM_PARTITION!}`, '--output=/dev/null', script],
        {
          cwd: root,
        },
      ),
    { warmup: 1, iterations: 5 },
  );
  const slurmStage = await measure(() => stageOn(slurmRunner, slurmConfig), { warmup: 1, iterations: 5 });
  report({
    name: 'slurm: no-op stage',
    value: slurmStage.medianMs,
    unit: 'ms',
    baseline: { name: 'sbatch --wait of the same script', value: sbatchWait.medianMs },
    target: { ratio: 1.5, comparison: '<=' },
    note: `p95 ${slurmStage.p95Ms.toFixed(0)} ms vs ${sbatchWait.p95Ms.toFixed(0)} ms; ${load()}`,
  });
});
