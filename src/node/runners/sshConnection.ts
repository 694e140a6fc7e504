import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinShellArguments } from '../../engine/commandLine/quoteShellArgument';
import type { RunnerConfig } from '../../engine/pipeline/model';
import { remoteFailure } from '../../engine/runners/classifyRemoteFailure';
import { remoteShellCommand } from '../../engine/runners/remoteScripts';
import type { RunnerFailure } from '../../engine/runners/runnerFailure';
import type { OutputStream, ProcessResult, RunningProcess } from '../../engine/scheduler/ports';
import { startProcess } from '../process/nodeProcessRunner';
import { processEnvironment } from './remoteResult';

/** How long an idle shared connection stays open after the last stage used it. */
const CONTROL_PERSIST_SECONDS = 60;
/**
 * How long a shared connection found alive is trusted without asking it again (`ssh -O check`, a
 * process per stage otherwise). A master that died meanwhile costs the next calls their own
 * handshake (ssh connects by itself when the control socket is gone), never a failure.
 */
const MASTER_TRUSTED_MS = 5_000;

export interface RemoteExecution {
  readonly onLine?: (stream: OutputStream, line: string, timestamp: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * One SSH runner's connection through the user's own OpenSSH client: ~/.ssh/config (or the
 * runner's `ssh_config`), keys, agent and known_hosts apply. BatchMode (never a prompt) and
 * StrictHostKeyChecking=yes (an unknown or changed host key is an error, never accepted). A
 * ControlMaster connection is opened once and shared, so a stage's many ssh and rsync calls do not
 * each pay a handshake; ServerAlive probes notice a connection that died silently.
 */
export class SshConnection {
  readonly host: string;
  private masterReady: Promise<RunnerFailure | undefined> | undefined;
  private masterCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly runner: RunnerConfig) {
    this.host = String(runner.options.host ?? '');
  }

  /** Describes the target for messages: `user@host:port`. */
  get label(): string {
    const { user, port } = this.runner.options;
    return `${user === undefined ? '' : `${String(user)}@`}${this.host}${port === undefined ? '' : `:${String(port)}`}`;
  }

  /**
   * ssh's options for every call (without the host), for a call that uses the shared connection
   * when it is open and connects by itself otherwise (`master`: the call that opens it). ssh keeps
   * the first value given for an option, so ControlMaster is set exactly once.
   */
  sshOptions(master = false): string[] {
    const { options } = this.runner;
    const args: string[] = [];
    if (options.ssh_config !== undefined) args.push('-F', expandHome(String(options.ssh_config)));
    args.push('-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes');
    // %C hashes host, port and user; the key and config files are added so that runners that
    // differ only in how they log in never share a connection.
    args.push('-o', `ControlPath=${controlFolder()}/${this.loginHash()}-%C`);
    args.push('-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3');
    args.push('-o', `ConnectTimeout=${Number(options.connect_timeout ?? 15)}`);
    args.push('-o', master ? 'ControlMaster=yes' : 'ControlMaster=no');
    if (options.port !== undefined) args.push('-p', String(options.port));
    if (options.user !== undefined) args.push('-l', String(options.user));
    if (options.identity_file !== undefined) {
      args.push('-i', expandHome(String(options.identity_file)), '-o', 'IdentitiesOnly=yes');
    }
    return args;
  }

  private loginHash(): string {
    const { identity_file: identity, ssh_config: config } = this.runner.options;
    return createHash('sha1')
      .update(`${String(identity ?? '')}\0${String(config ?? '')}`)
      .digest('hex')
      .slice(0, 8);
  }

  /** A host or user starting with `-` would be read by ssh (and rsync) as an option. */
  invalidTarget(): RunnerFailure | undefined {
    const { user } = this.runner.options;
    if (this.host === '' || this.host.startsWith('-') || String(user ?? '').startsWith('-')) {
      return {
        code: 'hostUnreachable',
        message: `the ssh runner '${this.runner.name}' has an invalid host or user ('${this.host}'); host and user may not be empty or start with '-'`,
      };
    }
    return undefined;
  }

  /** Opens the shared connection if none is open; the failure says why it could not (auth, host key…). */
  ensureMaster(): Promise<RunnerFailure | undefined> {
    this.masterReady ??= this.openMaster().then((failure) => {
      if (failure) this.masterReady = undefined;
      return failure;
    });
    return this.masterReady.then(async (failure) => {
      if (failure) return failure;
      if (Date.now() - this.masterCheckedAt < MASTER_TRUSTED_MS) return undefined;
      // Opened earlier: it may have died since (the host rebooted, the network dropped).
      const check = await this.ssh(['-O', 'check']).result;
      if (check.exitCode === 0) {
        this.masterCheckedAt = Date.now();
        return undefined;
      }
      this.masterReady = undefined;
      return this.ensureMaster();
    });
  }

  private async openMaster(): Promise<RunnerFailure | undefined> {
    const invalid = this.invalidTarget();
    if (invalid) return invalid;
    mkdirSync(controlFolder(), { recursive: true, mode: 0o700 });
    const check = await this.ssh(['-O', 'check']).result;
    if (check.exitCode === 0) {
      this.masterCheckedAt = Date.now();
      return undefined;
    }
    // -f: back to us once logged in; the master keeps running in the background. Its stderr goes
    // to a file: a pipe held open by the backgrounded master would never reach end of file.
    const folder = mkdtempSync(join(tmpdir(), 'mlc-ssh-'));
    const errorFile = join(folder, 'stderr');
    writeFileSync(errorFile, '');
    try {
      const command = `${joinShellArguments([
        'ssh',
        ...this.sshOptions(true),
        '-o',
        `ControlPersist=${CONTROL_PERSIST_SECONDS}`,
        '-f',
        '-N',
        '--',
        this.host,
      ])} </dev/null >/dev/null 2>${joinShellArguments([errorFile])}`;
      const opened = await startProcess(
        { command, cwd: tmpdir(), env: processEnvironment() },
        new AbortController().signal,
      ).result;
      if (opened.startError !== undefined)
        return { code: 'toolMissing', message: `ssh could not start: ${opened.startError}` };
      if (opened.exitCode === 127)
        return { code: 'toolMissing', message: 'ssh (the OpenSSH client) is not installed on this machine' };
      if (opened.exitCode === 0) {
        this.masterCheckedAt = Date.now();
        return undefined;
      }
      return remoteFailure('hostUnreachable', 'ssh', this.label, opened.exitCode, readFileSync(errorFile, 'utf8'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /** Runs a POSIX shell script on the host (through the shared connection when it is open). */
  exec(script: string, execution: RemoteExecution = {}): RunningProcess {
    return this.ssh(['--', this.host, remoteShellCommand(script)], execution);
  }

  /** `ssh OPTIONS ARGS`, run locally with its output split into lines. */
  private ssh(args: readonly string[], execution: RemoteExecution = {}): RunningProcess {
    const target = args[0] === '-O' ? [...args, '--', this.host] : args;
    return startProcess(
      {
        command: joinShellArguments(['ssh', ...this.sshOptions(), ...target]),
        cwd: tmpdir(),
        env: processEnvironment(),
        ...(execution.onLine ? { onLine: execution.onLine } : {}),
      },
      execution.signal ?? new AbortController().signal,
    );
  }

  /** The `rsync -e` value: ssh with this runner's options, as one string rsync splits like a shell. */
  rsyncShell(): string {
    return joinShellArguments(['ssh', ...this.sshOptions()]);
  }
}

/** Runs a script and gathers its stderr lines too (for classifying failures). */
export async function execCollecting(
  connection: SshConnection,
  script: string,
  onLine?: RemoteExecution['onLine'],
): Promise<{ result: ProcessResult; stderr: string[] }> {
  const stderr: string[] = [];
  const result = await connection.exec(script, {
    onLine: (stream, line, timestamp) => {
      if (stream === 'stderr') stderr.push(line);
      onLine?.(stream, line, timestamp);
    },
  }).result;
  return { result, stderr };
}

/** Short, per user: a control socket path must stay under ~100 bytes. */
function controlFolder(): string {
  return join(tmpdir(), `mlc-ssh-${process.getuid?.() ?? 'user'}`);
}

function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
