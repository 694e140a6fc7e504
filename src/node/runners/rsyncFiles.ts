import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinShellArguments } from '../../engine/commandLine/quoteShellArgument';
import { remoteFailure } from '../../engine/runners/classifyRemoteFailure';
import type { RunnerFailure } from '../../engine/runners/runnerFailure';
import { startProcess } from '../process/nodeProcessRunner';
import { processEnvironment } from './remoteResult';
import type { SshConnection } from './sshConnection';

/**
 * Copies the listed paths (files or folders, relative to both roots) between the local workspace
 * and the remote workdir with rsync over the runner's ssh connection: only what changed is sent.
 * The list goes in a NUL-separated file (`--files-from --from0`), and `--secluded-args` keeps the
 * remote shell from reading the workdir or any path, so no name can inject a command. Paths that
 * do not exist are skipped: a missing out is reported by the stage's outs check.
 */
export async function rsyncFiles(
  connection: SshConnection,
  direction: 'upload' | 'download',
  paths: readonly string[],
  localRoot: string,
  remoteWorkdir: string,
): Promise<RunnerFailure | undefined> {
  if (paths.length === 0) return undefined;
  const folder = mkdtempSync(join(tmpdir(), 'mlc-rsync-'));
  const listFile = join(folder, 'files');
  writeFileSync(listFile, paths.map((path) => `${path}\0`).join(''));
  const local = `${localRoot.replace(/\/+$/, '')}/`;
  const remote = `${connection.host}:${remoteWorkdir.replace(/\/+$/, '')}/`;
  const stderr: string[] = [];
  try {
    const result = await startProcess(
      {
        command: joinShellArguments([
          'rsync',
          '-rlpt',
          '--secluded-args',
          '--from0',
          `--files-from=${listFile}`,
          '--ignore-missing-args',
          '-e',
          connection.rsyncShell(),
          ...(direction === 'upload' ? [local, remote] : [remote, local]),
        ]),
        cwd: tmpdir(),
        env: processEnvironment(),
        onLine: (stream, line) => {
          if (stream === 'stderr') stderr.push(line);
        },
      },
      new AbortController().signal,
    ).result;
    if (result.exitCode === 0) return undefined;
    const text = stderr.join('\n');
    if (result.exitCode === 127 && /rsync/.test(text) && !/remote/.test(text)) {
      return { code: 'toolMissing', message: 'rsync is not installed on this machine; install it (apt install rsync)' };
    }
    return remoteFailure('transferFailed', `rsync (${direction})`, connection.label, result.exitCode, text);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
