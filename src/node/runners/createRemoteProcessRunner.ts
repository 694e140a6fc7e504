import type { RunnerPlacement } from '../../engine/runners/chooseRunner';
import type { ProcessRunner } from '../../engine/scheduler/ports';
import { slurmProcessRunner } from './slurmProcessRunner';
import { SshConnection } from './sshConnection';
import { sshProcessRunner } from './sshProcessRunner';

/**
 * Builds the ProcessRunner of each ssh or slurm runner once per run, so that the stages on one
 * host share its connection. Slurm runners reached `via` an ssh runner use that runner's connection.
 */
export function createRemoteProcessRunners(): (placement: RunnerPlacement) => ProcessRunner {
  const connections = new Map<string, SshConnection>();
  const runners = new Map<string, ProcessRunner>();
  const connectionOf = (placement: RunnerPlacement) => {
    const ssh = placement.via ?? placement.runner;
    let connection = connections.get(ssh.name);
    if (!connection) connections.set(ssh.name, (connection = new SshConnection(ssh)));
    return connection;
  };
  return (placement) => {
    const key = `${placement.runner.name}\0${placement.via?.name ?? ''}`;
    let runner = runners.get(key);
    if (!runner) {
      runner =
        placement.runner.type === 'slurm'
          ? slurmProcessRunner(placement.via ? connectionOf(placement) : undefined)
          : sshProcessRunner(connectionOf(placement));
      runners.set(key, runner);
    }
    return runner;
  };
}
