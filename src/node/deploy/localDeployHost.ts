import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { DeployHost, HealthAnswer, ProcessExit } from '../../engine/deploy/ports';
import { describeError } from '../../engine/engineError';

export interface LocalDeployHostOptions {
  /** How long a stopping server gets after SIGTERM before its group is killed (default 10 s). */
  readonly stopGraceMs?: number;
  /** One health probe's time limit (default 2 s). */
  readonly probeTimeoutMs?: number;
}

const BODY_CHARACTERS = 300;

/**
 * The local machine as a deploy host. A server runs as `/bin/sh -c COMMAND` in its own process
 * group with its output appended to a log file and no handle kept open, so it outlives `mlc deploy`
 * (and the VS Code window). It is found again by pid, and its command line (/proc/<pid>/cmdline) is
 * compared with the recorded one before any signal, so a pid the system reused for another program
 * is never signalled.
 */
export function createLocalDeployHost(options: LocalDeployHostOptions = {}): DeployHost {
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  const exits = new Map<number, ProcessExit>();
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const groupExists = (pid: number) => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };

  const signalGroup = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    name: 'local',
    // The server runs in the workspace itself: nothing to send.
    place: (workspaceRoot) => Promise.resolve({ ok: true, root: workspaceRoot }),
    start(commandLine, { cwd, logFile }) {
      mkdirSync(dirname(logFile), { recursive: true });
      const log = openSync(logFile, 'a');
      return new Promise<number>((resolve, reject) => {
        let child: ChildProcess;
        try {
          child = spawn('/bin/sh', ['-c', commandLine], { cwd, detached: true, stdio: ['ignore', log, log] });
        } catch (error) {
          closeSync(log);
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        child.once('error', (error) => {
          closeSync(log);
          reject(error);
        });
        child.once('spawn', () => {
          closeSync(log);
          const pid = child.pid!;
          child.once('exit', (code, signal) => exits.set(pid, { code, signal }));
          // Not waited for: the server must not keep mlc (or the extension host) alive.
          child.unref();
          resolve(pid);
        });
      });
    },
    // /proc and the log are local files, read at once; the answers are promises for remote hosts.
    commandLineOf: (pid) => Promise.resolve(commandLineOf(pid)),
    exitOf: (pid) => Promise.resolve(exits.get(pid)),
    async stop(pid, commandLine) {
      if (commandLineOf(pid) !== commandLine) return 'notRunning';
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + stopGraceMs;
      while (groupExists(pid) && Date.now() < deadline) await sleep(50);
      if (groupExists(pid)) {
        signalGroup(pid, 'SIGKILL');
        while (groupExists(pid)) await sleep(20);
      }
      return 'stopped';
    },
    probe(url) {
      return new Promise<HealthAnswer>((resolve) => {
        let settled = false;
        const done = (answer: HealthAnswer) => {
          if (settled) return;
          settled = true;
          resolve(answer);
        };
        try {
          const outgoing = request(url, { method: 'GET', timeout: probeTimeoutMs }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              if (body.length < BODY_CHARACTERS) body += chunk;
            });
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              done({ ok: status >= 200 && status < 300, status, body: body.trim().slice(0, BODY_CHARACTERS) });
            });
            response.on('error', (error) => done({ ok: false, error: error.message }));
          });
          outgoing.on('timeout', () => {
            outgoing.destroy();
            done({ ok: false, error: `no answer within ${probeTimeoutMs} ms` });
          });
          outgoing.on('error', (error: NodeJS.ErrnoException) =>
            done({ ok: false, error: error.code ?? error.message }),
          );
          outgoing.end();
        } catch (error) {
          done({ ok: false, error: describeError(error) });
        }
      });
    },
    freePort: () => listenOnce(0).then((port) => port!),
    isPortFree: (port) => listenOnce(port).then((bound) => bound !== undefined),
    logTail(file, count) {
      try {
        const lines = readFileSync(file, 'utf8').split('\n');
        if (lines.at(-1) === '') lines.pop();
        return Promise.resolve(lines.slice(-count));
      } catch {
        return Promise.resolve([]);
      }
    },
    removeFiles(files) {
      for (const file of files) rmSync(file, { force: true });
      return Promise.resolve();
    },
    sleep,
  };
}

/** How a local process describes itself (`/proc/<pid>/cmdline`, NULs as spaces); undefined when gone. */
function commandLineOf(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A zombie (ended, not yet reaped) has an empty command line: it is not running.
    return text === '' ? undefined : text.replace(/\0+$/, '').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** Binds a loopback port and releases it: the port, or undefined when it is taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
