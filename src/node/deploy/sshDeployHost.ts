import { randomBytes } from 'node:crypto';
import { dirname } from 'pathe';
import { quoteShellArgument } from '../../engine/commandLine/quoteShellArgument';
import { type DeployHost, DeployHostError, type HealthAnswer, type ProcessExit } from '../../engine/deploy/ports';
import type { RunnerConfig } from '../../engine/pipeline/model';
import { remoteFailure } from '../../engine/runners/classifyRemoteFailure';
import { enterWorkdir, parseReportLine } from '../../engine/runners/remoteScripts';
import { remoteWorkdir } from '../../engine/runners/remoteStage';
import { rsyncFiles } from '../runners/rsyncFiles';
import type { SshConnection } from '../runners/sshConnection';

export interface SshDeployHostOptions {
  /** How long a stopping server gets after TERM before its group is killed (default 10 s). */
  readonly stopGraceMs?: number;
  /** One health probe's time limit on the host (default 2 s). */
  readonly probeTimeoutSeconds?: number;
}

const BODY_CHARACTERS = 300;

/**
 * An ssh runner's host as a deploy host, through the runner's shared OpenSSH connection. The
 * model's immutable copy and the start command's code go to the runner's workdir with rsync; the
 * server runs there under `setsid` (its own session and process group, output appended to a log
 * file on the host), so it outlives the connection and `mlc deploy`. It is found again by pid and
 * its command line (the host's /proc/<pid>/cmdline) is compared with the recorded one before any
 * signal. Health is probed on the host itself (curl, else python3, through the connection): the
 * health URL means what it says there (127.0.0.1 is the host), a server listening on the host's
 * loopback only is reached, and there is no local forwarded port to choose and keep open.
 * Every value put into a remote command line goes through quoteShellArgument.
 */
export function createSshDeployHost(
  connection: SshConnection,
  runner: RunnerConfig,
  options: SshDeployHostOptions = {},
): DeployHost {
  const stopGraceTenths = Math.ceil((options.stopGraceMs ?? 10_000) / 100);
  const probeTimeout = options.probeTimeoutSeconds ?? 2;
  /** The exit status file of each server this host started (written by the wrapper shell). */
  const statusFiles = new Map<number, string>();
  const label = connection.label;

  /** Runs a script on the host and keeps its output lines. */
  const run = async (script: string) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const result = await connection.exec(script, {
      onLine: (stream, line) => (stream === 'stdout' ? stdout : stderr).push(line),
    }).result;
    return { exitCode: result.exitCode, stdout, stderr };
  };
  /** The `kill` target of a server's process group; never 0, 1 or a negative number. */
  const group = (pid: number) => {
    if (!Number.isInteger(pid) || pid <= 1) throw new DeployHostError(`not a server's pid: ${pid}`);
    return `-${pid}`;
  };
  /** A free (or the given) port on the host's loopback, or `taken`. */
  const bindPort = async (port: number) => {
    const { exitCode, stdout, stderr } = await run(
      `command -v python3 >/dev/null 2>&1 || { echo 'python3 is not installed there' >&2; exit 3; }\n` +
        `python3 -c ${quoteShellArgument(
          [
            'import socket, sys',
            's = socket.socket()',
            'try:',
            '    s.bind(("127.0.0.1", int(sys.argv[1])))',
            '    print(s.getsockname()[1])',
            'except OSError:',
            '    print("taken")',
          ].join('\n'),
        )} ${port}`,
    );
    if (exitCode !== 0) {
      throw new DeployHostError(
        remoteFailure('hostUnreachable', 'checking a port', label, exitCode, stderr.join('\n')).message,
      );
    }
    return stdout.at(-1) ?? 'taken';
  };

  return {
    name: label,

    async place(workspaceRoot, paths) {
      const failure = await connection.ensureMaster();
      if (failure) return { ok: false, reason: failure.message };
      const workdir = remoteWorkdir(runner, workspaceRoot);
      const token = randomBytes(8).toString('hex');
      const prepared = await run(
        [
          enterWorkdir(workdir, token, true),
          `command -v rsync >/dev/null 2>&1 || { echo "@mlc-${token} rsync-missing" >&2; exit 1; }`,
          'pwd',
        ].join('\n'),
      );
      const reports = prepared.stderr.map((line) => parseReportLine(line, token)?.word);
      if (reports.includes('workdir-not-writable')) {
        return {
          ok: false,
          reason: `the workdir ${workdir} on ${label} cannot be created or is not writable; set the runner's workdir: to a folder its user may write.`,
        };
      }
      if (reports.includes('rsync-missing')) return { ok: false, reason: `rsync is not installed on ${label}.` };
      const root = prepared.stdout.at(-1);
      if (prepared.exitCode !== 0 || root === undefined) {
        return {
          ok: false,
          reason: remoteFailure(
            'hostUnreachable',
            'preparing the workdir',
            label,
            prepared.exitCode,
            prepared.stderr.join('\n'),
          ).message,
        };
      }
      const sent = await rsyncFiles(connection, 'upload', paths, workspaceRoot, workdir);
      return sent ? { ok: false, reason: sent.message } : { ok: true, root };
    },

    async start(commandLine, { cwd, logFile }) {
      const token = randomBytes(8).toString('hex');
      const statusFile = `${dirname(logFile)}/.server-${token}.status`;
      const { exitCode, stderr } = await run(
        [
          `cd -- ${quoteShellArgument(cwd)} || exit 1`,
          `mkdir -p -- ${quoteShellArgument(dirname(logFile))} || exit 1`,
          // The wrapper shell writes the exit code, so a server that dies at once is told apart
          // from one still starting; setsid makes it a process group that stop signals as a whole.
          `setsid sh -c 'sh -c "$1"; echo $? > "$2"' mlc-deploy ${quoteShellArgument(commandLine)} ${quoteShellArgument(statusFile)} </dev/null >>${quoteShellArgument(logFile)} 2>&1 &`,
          `echo "@mlc-${token} pid $!" >&2`,
        ].join('\n'),
      );
      const pid = Number(
        stderr.map((line) => parseReportLine(line, token)).find((report) => report?.word === 'pid')?.value,
      );
      if (exitCode !== 0 || !Number.isInteger(pid)) {
        throw new DeployHostError(
          remoteFailure('hostUnreachable', 'starting the server', label, exitCode, stderr.join('\n')).message,
        );
      }
      statusFiles.set(pid, statusFile);
      return pid;
    },

    async commandLineOf(pid) {
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      const answer = await run(`cat /proc/${pid}/cmdline 2>/dev/null; exit 0`);
      if (answer.exitCode !== 0) {
        throw new DeployHostError(
          remoteFailure('hostUnreachable', `asking about pid ${pid}`, label, answer.exitCode, answer.stderr.join('\n'))
            .message,
        );
      }
      const text = answer.stdout.join('\n');
      // A zombie (ended, not yet reaped) has an empty command line: it is not running.
      return text === '' ? undefined : text.replace(/\0+$/, '').replaceAll('\0', ' ');
    },

    async exitOf(pid): Promise<ProcessExit | undefined> {
      const statusFile = statusFiles.get(pid);
      if (statusFile === undefined) return undefined;
      const answer = await run(
        `f=${quoteShellArgument(statusFile)}\nif [ -s "$f" ]; then cat "$f"; elif kill -0 ${pid} 2>/dev/null; then echo running; else echo gone; fi`,
      );
      const word = answer.exitCode === 0 ? answer.stdout.join('\n').trim() : 'running';
      if (word === 'running') return undefined;
      // No status written: the wrapper itself was killed.
      return word === 'gone' ? { code: null, signal: 'a signal' } : { code: Number(word), signal: null };
    },

    async stop(pid, commandLine) {
      if ((await this.commandLineOf(pid)) !== commandLine) return 'notRunning';
      const target = group(pid);
      const { exitCode, stderr } = await run(
        [
          `kill -TERM ${target} 2>/dev/null`,
          `i=0; while kill -0 ${target} 2>/dev/null && [ "$i" -lt ${stopGraceTenths} ]; do sleep 0.1; i=$((i+1)); done`,
          `if kill -0 ${target} 2>/dev/null; then kill -KILL ${target} 2>/dev/null; while kill -0 ${target} 2>/dev/null; do sleep 0.05; done; fi`,
          'exit 0',
        ].join('\n'),
      );
      if (exitCode !== 0) {
        throw new DeployHostError(
          remoteFailure('hostUnreachable', `stopping pid ${pid}`, label, exitCode, stderr.join('\n')).message,
        );
      }
      return 'stopped';
    },

    async probe(url): Promise<HealthAnswer> {
      // Only a URL: never a word curl would read as one of its options.
      if (!/^https?:\/\//i.test(url)) return { ok: false, error: `${url} is not an http:// or https:// URL` };
      const token = randomBytes(8).toString('hex');
      const status = `@mlc-${token} status`;
      const python = [
        'import sys, urllib.request, urllib.error',
        'try:',
        `    answer = urllib.request.urlopen(sys.argv[1], timeout=${probeTimeout}); code = answer.status; body = answer.read(${BODY_CHARACTERS})`,
        'except urllib.error.HTTPError as error:',
        `    code = error.code; body = error.read(${BODY_CHARACTERS})`,
        'except Exception as error:',
        '    print(error, file=sys.stderr); code = 0; body = b""',
        'sys.stdout.write(body.decode("utf8", "replace") + "\\n" + sys.argv[2] + " %03d\\n" % code)',
      ].join('\n');
      const { exitCode, stdout, stderr } = await run(
        [
          `u=${quoteShellArgument(url)}`,
          'if command -v curl >/dev/null 2>&1; then',
          `  curl -sS --max-time ${probeTimeout} -w ${quoteShellArgument(`\n${status} %{http_code}\n`)} "$u"`,
          'elif command -v python3 >/dev/null 2>&1; then',
          `  python3 -c ${quoteShellArgument(python)} "$u" ${quoteShellArgument(status)}`,
          'else',
          `  echo 'neither curl nor python3 is installed to probe the health URL' >&2; echo ${quoteShellArgument(`${status} 000`)}`,
          'fi',
          'exit 0',
        ].join('\n'),
      );
      if (exitCode !== 0) {
        return {
          ok: false,
          error: remoteFailure('hostUnreachable', 'probing', label, exitCode, stderr.join('\n')).message,
        };
      }
      const statusLine = stdout.findIndex((line) => line.startsWith(`${status} `));
      const code = statusLine < 0 ? 0 : Number(stdout[statusLine]!.slice(status.length + 1));
      if (!code) return { ok: false, error: stderr.at(-1) ?? 'no answer' };
      const body = stdout.slice(0, Math.max(0, statusLine)).join('\n').trim().slice(0, BODY_CHARACTERS);
      return { ok: code >= 200 && code < 300, status: code, body };
    },

    async freePort() {
      const answer = await bindPort(0);
      const port = Number(answer);
      if (!Number.isInteger(port) || port <= 0) throw new DeployHostError(`no free port found on ${label} (${answer})`);
      return port;
    },
    isPortFree: async (port) => (await bindPort(port)) !== 'taken',

    async logTail(file, count) {
      const answer = await run(`tail -n ${Math.trunc(count)} -- ${quoteShellArgument(file)} 2>/dev/null; exit 0`);
      return answer.exitCode === 0 ? answer.stdout : [];
    },

    async removeFiles(files) {
      const answer = await run(`rm -f -- ${files.map(quoteShellArgument).join(' ')}`);
      if (answer.exitCode !== 0) {
        throw new DeployHostError(`could not remove files on ${label}: ${answer.stderr.join(' ').trim()}`);
      }
    },

    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
}
