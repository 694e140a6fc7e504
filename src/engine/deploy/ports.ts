/**
 * What deploying needs from the machine a target runs on. src/node/deploy implements it for the
 * local machine (detached process groups, /proc, node:http); a remote runner implements the same
 * interface, so nothing in the deploy engine assumes the model server is local. Every question is
 * asynchronous: on a remote host each one is an ssh command, and the extension host must never
 * wait on one.
 */
export interface HealthAnswer {
  /** A 2xx answer. */
  readonly ok: boolean;
  readonly status?: number;
  /** The first few hundred characters of the body. */
  readonly body?: string;
  /** Why there was no answer (connection refused, timeout). */
  readonly error?: string;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** Where the workspace's files are on a host once `place` sent them there. */
export type PlacedFiles =
  { readonly ok: true; readonly root: string } | { readonly ok: false; readonly reason: string };

export interface DeployHost {
  /** `local`, or the runner's host name: recorded in current.json. */
  readonly name: string;
  /**
   * Makes the listed paths (relative to the workspace root: the model version's copy and the code
   * the start command names) available on this host, and says which folder stands for the workspace
   * root there. The local host sends nothing and answers the workspace root itself.
   */
  place(workspaceRoot: string, paths: readonly string[]): Promise<PlacedFiles>;
  /**
   * Starts a shell command line detached from the caller (its own process group, output appended
   * to `logFile`), so it outlives the command that started it. Resolves with its pid once spawned.
   */
  start(commandLine: string, options: { readonly cwd: string; readonly logFile: string }): Promise<number>;
  /**
   * How the process describes itself now (`/proc/<pid>/cmdline`, NULs as spaces); undefined when
   * gone. Throws when the host cannot be asked (a remote host not answering): that is not "gone".
   */
  commandLineOf(pid: number): Promise<string | undefined>;
  /** The exit of a process this host started and that has ended; undefined while it runs (or unknown). */
  exitOf(pid: number): Promise<ProcessExit | undefined>;
  /**
   * Stops the process group of `pid` (TERM, then KILL after a grace period), but only when the pid
   * still runs `commandLine`: a recycled pid is never signalled. Resolves once the group is gone.
   */
  stop(pid: number, commandLine: string): Promise<'stopped' | 'notRunning'>;
  probe(url: string): Promise<HealthAnswer>;
  /** A TCP port nothing listens on now. */
  freePort(): Promise<number>;
  isPortFree(port: number): Promise<boolean>;
  /** The last `count` lines of a log file (empty when there is none). */
  logTail(file: string, count: number): Promise<readonly string[]>;
  /** Removes files mlc wrote on this host (old server logs); one already gone is not an error. */
  removeFiles(files: readonly string[]): Promise<void>;
  sleep(ms: number): Promise<void>;
}

/**
 * A host that could not be asked or told something (a remote host not answering, refusing the
 * login): a deploy fails with its message, and a CLI command exits 1 with it, never as a bug.
 */
export class DeployHostError extends Error {
  override readonly name = 'DeployHostError';
}
