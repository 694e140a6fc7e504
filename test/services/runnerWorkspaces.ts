import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/mlcCli';
import { makeTempDir } from '../support/tempDir';

/** A stage of `mlc run --json` as the runner tests read it. */
export interface StageJson {
  address: string;
  status: string;
  exitCode?: number;
  runner?: string;
  host?: string;
  jobId?: string;
  outs?: Record<string, string>;
  failure?: { code: string; message: string };
}

/**
 * Copies examples/churn into `remoteRoot` with its train stage on the runner `name` (declared by
 * `runnerYaml`), and into `localRoot` unchanged: the same stage run both ways must lock the same.
 */
export function churnCopies(remoteRoot: string, localRoot: string, name: string, runnerYaml: string): void {
  for (const root of [remoteRoot, localRoot]) cpSync(join(repoRoot, 'examples/churn'), root, { recursive: true });
  const pipelineFile = join(remoteRoot, 'mlc.yaml');
  writeFileSync(
    pipelineFile,
    readFileSync(pipelineFile, 'utf8')
      .replace('    runner: local\n', `    runner: ${name}\n`)
      .replace('runners:\n', `runners:\n${runnerYaml}`),
  );
}

/** One stage's entry in mlc.lock, as text. */
export function lockEntry(root: string, stage: string): string {
  const text = readFileSync(join(root, 'mlc.lock'), 'utf8');
  const start = text.indexOf(`  ${stage}:\n`);
  const next = text.slice(start + 1).search(/\n {2}\S/);
  return next < 0 ? text.slice(start) : text.slice(start, start + 1 + next);
}

/**
 * A temp folder removed when the test process exits; readable by everyone (0755), as a workspace
 * a Slurm job (running as another process tree) and a shared file system need.
 */
export function tempFolder(prefix: string): string {
  const folder = makeTempDir(prefix);
  chmodSync(folder, 0o755);
  return folder;
}

/** A runner entry for mlc.yaml's `runners:` (values as JSON strings, which YAML reads as they are). */
export function runnerEntry(name: string, options: Record<string, string>): string {
  return `  ${name}:\n${Object.entries(options)
    .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`)
    .join('')}`;
}

/** The options of an ssh runner that logs in to the sshd started by sshd-up.sh (its exported variables). */
export function loopbackSshOptions(ssh: Record<string, string>): Record<string, string> {
  return {
    type: 'ssh',
    host: ssh.SVC_SSH_HOST!,
    port: ssh.SVC_SSH_PORT!,
    user: ssh.SVC_SSH_USER!,
    identity_file: ssh.SVC_SSH_KEY!,
    ssh_config: ssh.SVC_SSH_CONFIG!,
  };
}
