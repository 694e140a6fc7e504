import { createHash } from 'node:crypto';
import type { ContentHasher } from '../../src/engine/hashing/ports';
import type { DeployHost, HealthAnswer, ProcessExit } from '../../src/engine/deploy/ports';
import type { FileSystem } from '../../src/engine/ports';

/** md5 of a file's bytes through the given FileSystem (folders are not needed by these tests). */
export function createFakeHasher(fs: FileSystem): ContentHasher {
  return {
    hash: (path) => {
      if (fs.stat(path)?.kind !== 'file') return Promise.resolve(undefined);
      const bytes = fs.readFile(path);
      return Promise.resolve({
        md5: createHash('md5').update(bytes).digest('hex'),
        size: bytes.length,
        algorithm: 'md5',
      });
    },
    flush: () => Promise.resolve(),
  };
}

export interface FakeServer {
  readonly pid: number;
  readonly command: string;
  alive: boolean;
  exit?: ProcessExit;
}

/**
 * A deploy host whose servers are entries in a table: `behaviour(command)` decides whether a start
 * becomes healthy, exits at once or never answers. Time advances only through `sleep`. Each start
 * appends its server's output to its log file (`logs`, by path), as a real host's log would get it.
 */
export function createFakeDeployHost(behaviour: (command: string) => 'healthy' | 'exits' | 'silent') {
  let nextPid = 1000;
  let nextPort = 40_000;
  let now = 0;
  const servers = new Map<number, FakeServer>();
  const busyPorts = new Set<number>();
  const stopped: number[] = [];
  const logs = new Map<string, string[]>();
  const commandLineOf = (pid: number) => {
    const server = servers.get(pid);
    return server?.alive ? `/bin/sh -c ${server.command}` : undefined;
  };
  const host: DeployHost & { clock: { now(): number } } = {
    name: 'local',
    clock: { now: () => now },
    place: (workspaceRoot) => Promise.resolve({ ok: true, root: workspaceRoot }),
    start(command, { logFile }) {
      const pid = nextPid++;
      const kind = behaviour(command);
      const output =
        kind === 'exits' ? ['Traceback (most recent call last):', 'SystemExit: bad model'] : [`serving ${command}`];
      logs.set(logFile, [...(logs.get(logFile) ?? []), ...output]);
      servers.set(pid, {
        pid,
        command,
        alive: kind !== 'exits',
        ...(kind === 'exits' ? { exit: { code: 1, signal: null } } : {}),
      });
      return Promise.resolve(pid);
    },
    commandLineOf: (pid) => Promise.resolve(commandLineOf(pid)),
    exitOf: (pid) => Promise.resolve(servers.get(pid)?.exit),
    stop(pid, commandLine) {
      const server = servers.get(pid);
      if (!server?.alive || commandLineOf(pid) !== commandLine) return Promise.resolve('notRunning');
      server.alive = false;
      server.exit = { code: 0, signal: null };
      stopped.push(pid);
      return Promise.resolve('stopped');
    },
    probe(url): Promise<HealthAnswer> {
      const port = /:(\d+)\//.exec(url)?.[1];
      const serving = [...servers.values()].find(
        (server) =>
          server.alive && behaviour(server.command) === 'healthy' && server.command.includes(`--port ${port}`),
      );
      return Promise.resolve(
        serving ? { ok: true, status: 200, body: '{"status": "ok"}' } : { ok: false, error: 'ECONNREFUSED' },
      );
    },
    freePort: () => Promise.resolve(nextPort++),
    isPortFree: (port) => Promise.resolve(!busyPorts.has(port)),
    logTail: (file, count) => Promise.resolve((logs.get(file) ?? []).slice(-count)),
    removeFiles: (files) => {
      for (const file of files) logs.delete(file);
      return Promise.resolve();
    },
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  };
  return { host, servers, busyPorts, stopped, logs };
}
