import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../../engine/engineError';
import { quoteShellArgument } from '../../engine/commandLine/quoteShellArgument';
import type { OutputStream, ProcessSpec, RunningProcess } from '../../engine/scheduler/ports';
import { type LaunchEvents, startProcess, superviseProcess } from './nodeProcessRunner';
import { environmentChanges } from './processWorkerProtocol';
import { startStageWatchdog } from './stageGroups';

/**
 * Starts stage commands through one long-lived `/bin/sh` (the spawner) instead of a
 * `child_process.spawn` each. Node forks its whole address space for every spawn and waits for
 * the child's exec; dash forks a process of a few hundred kB in a fraction of that. For 1,000
 * no-op stages at -j2 the spawns were the process worker's busiest work (see bench/README).
 *
 * What each stage gets is what `startProcess` gives it:
 * - its own session and process group (`setsid`), so a kill of `-pid` reaches its whole tree;
 * - SIGINT and SIGQUIT at their defaults (an asynchronous list of a shell without job control
 *   ignores them, POSIX says; `env --default-signal` puts them back where coreutils has it);
 * - exactly its environment: the spawner runs with the base environment, and each stage's
 *   wrapper exports or unsets the differences (and PWD, OLDPWD, IFS, which the shell changes);
 * - its cwd, stdin from /dev/null, stdout and stderr through two FIFOs this process reads: the
 *   same stream semantics as pipes (order within a stream, end of file when the last writer,
 *   perhaps a background child, closes);
 * - its exit code, or the signal that killed it: `wait` says 128+n for both, so above 128 the
 *   wrapper asks `jobs`, which prints "Done(n)" only for an exit.
 *
 * Every value crosses to the shell quoted by quoteShellArgument (newlines, which would end the
 * request line, are spliced in from a variable). If the spawner dies, the stages in flight are
 * killed and fail with the reason, and the next start gets a new spawner. When this process
 * dies, the spawner reads end of file and sends its own process group (the wrappers) SIGTERM:
 * each wrapper kills its stage's group, then SIGKILLs it after the grace period.
 */
const SPAWNER_SCRIPT = `
exec 3>&1 >/dev/null
trap '' TERM
mlc_spawner_grace=$1
mlc_spawner_newline='
'
if env --default-signal=INT,QUIT true 2>/dev/null; then mlc_spawner_reset=1; else mlc_spawner_reset=; fi
mlc_spawner_stage() {
  (
    trap 'kill -s TERM -- "-$mlc_spawner_pid" 2>/dev/null; sleep "$mlc_spawner_grace"; kill -s KILL -- "-$mlc_spawner_pid" 2>/dev/null; exit 0' TERM
    exec 4>"$3" 5>"$4"
    if ! cd -- "$2" 2>/dev/null; then echo "F $1" >&3; exit 0; fi
    mlc_spawner_id=$1
    mlc_spawner_command=$5
    mlc_spawner_jobs=$3.jobs
    shift 5
    for mlc_spawner_change do
      case $mlc_spawner_change in
        +*) export "\${mlc_spawner_change#+}" ;;
        *) unset "\${mlc_spawner_change#-}" ;;
      esac
    done
    if [ -n "$mlc_spawner_reset" ]; then
      setsid env --default-signal=INT,QUIT /bin/sh -c "$mlc_spawner_command" </dev/null >&4 2>&5 3>&- 4>&- 5>&- &
    else
      setsid /bin/sh -c "$mlc_spawner_command" </dev/null >&4 2>&5 3>&- 4>&- 5>&- &
    fi
    mlc_spawner_pid=$!
    echo "P $mlc_spawner_id $mlc_spawner_pid" >&3
    exec 4>&- 5>&-
    wait "$mlc_spawner_pid" 2>/dev/null
    mlc_spawner_status=$?
    mlc_spawner_how=x
    if [ "$mlc_spawner_status" -gt 128 ]; then
      jobs >"$mlc_spawner_jobs"
      read -r mlc_spawner_job <"$mlc_spawner_jobs"
      case $mlc_spawner_job in *Done*) ;; *) mlc_spawner_how=s ;; esac
    fi
    echo "X $mlc_spawner_id $mlc_spawner_how $mlc_spawner_status" >&3
  ) &
}
while IFS= read -r mlc_spawner_request; do eval "$mlc_spawner_request"; done
kill -s TERM 0
`;

/** The variables the shell itself sets in the wrappers, told again for each stage. */
const SHELL_SET_VARIABLES = ['PWD', 'OLDPWD', 'IFS'];
/** A name the wrapper can export: the shell drops the others from the environment it passes on. */
const EXPORTABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** FIFO pairs made by one `mkfifo` call. */
const FIFO_BATCH = 64;
/** Between the spawner's SIGTERM to an orphaned stage and its SIGKILL (as the watchdog's). */
const SPAWNER_GRACE_SECONDS = 2;

interface InFlight {
  readonly cwd: string;
  readonly events: LaunchEvents;
  readonly readers: Socket[];
  /** This process's own write ends: no reader sees end of file before the wrapper opened its own. */
  holds: number[];
  readonly fifos: readonly string[];
  pid: number | undefined;
  onStarted: ((pid: number) => void) | undefined;
}

export interface StageSpawner {
  /** Starts `spec`; undefined when this command cannot go through the spawner (the caller spawns it). */
  start(spec: ProcessSpec, signal: AbortSignal, onStarted: (pid: number) => void): RunningProcess | undefined;
  dispose(): void;
}

/** Whether this machine has what the spawner needs (a POSIX sh, setsid, mkfifo); asked once. */
let available: boolean | undefined;
export function canUseStageSpawner(): boolean {
  if (available !== undefined) return available;
  if (process.platform === 'win32') return (available = false);
  const probe = spawnSync('/bin/sh', ['-c', 'command -v setsid && command -v mkfifo'], { stdio: 'ignore' });
  return (available = probe.status === 0);
}

export function createStageSpawner(): StageSpawner {
  let child: ChildProcess | undefined;
  let sentEnvironment: Readonly<Record<string, string>> | undefined;
  let folder: string | undefined;
  let nextId = 1;
  let fifoCount = 0;
  const spareFifos: string[] = [];
  const inFlight = new Map<number, InFlight>();
  let reportBuffer = '';

  const release = (id: number) => {
    const entry = inFlight.get(id);
    if (!entry) return;
    for (const hold of entry.holds) closeSync(hold);
    entry.holds = [];
  };
  const unlinkFifos = (entry: InFlight) => {
    for (const fifo of entry.fifos) {
      try {
        unlinkSync(fifo);
      } catch {
        // already gone
      }
    }
  };
  const onReport = (line: string) => {
    const [kind, idText, first, second] = line.split(' ');
    const id = Number(idText);
    const entry = inFlight.get(id);
    if (!entry) return;
    if (kind === 'P') {
      // The wrapper holds the FIFOs' write ends now (and its stage once it has started).
      release(id);
      unlinkFifos(entry);
      entry.pid = Number(first);
      entry.events.started(entry.pid);
      entry.onStarted?.(entry.pid);
    } else if (kind === 'F') {
      release(id);
      unlinkFifos(entry);
      inFlight.delete(id);
      entry.events.error(new Error(`cannot enter the working directory: ${describeCwd(entry.cwd)}`));
    } else if (kind === 'X') {
      inFlight.delete(id);
      const status = Number(second);
      if (first === 's') entry.events.exit(null, signalName(status - 128));
      else entry.events.exit(status, null);
    }
  };
  const onSpawnerGone = (reason: string) => {
    child = undefined;
    sentEnvironment = undefined;
    reportBuffer = '';
    for (const [id, entry] of inFlight) {
      inFlight.delete(id);
      release(id);
      unlinkFifos(entry);
      if (entry.pid !== undefined) killGroup(entry.pid);
      for (const reader of entry.readers) reader.destroy();
      entry.events.error(new Error(`${reason}; the stage was killed`));
    }
  };
  const ensureSpawner = (env: Readonly<Record<string, string>>): ChildProcess => {
    if (child && sentEnvironment) return child;
    // The watchdog first, as startProcess does: the groups reach it in the tick they are known.
    startStageWatchdog();
    folder ??= mkdtempSync(join(tmpdir(), 'mlc-stages-'));
    const started = spawn('/bin/sh', ['-c', SPAWNER_SCRIPT, 'mlc-stage-spawner', String(SPAWNER_GRACE_SECONDS)], {
      env: { ...env },
      // Its own group: Ctrl-C reaches mlc, which stops the stages; the spawner's last act, when
      // mlc is gone, is to SIGTERM this group (its wrappers).
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    started.stdout?.setEncoding('latin1');
    started.stdout?.on('data', (text: string) => {
      if (child !== started) return;
      reportBuffer += text;
      let newline;
      while ((newline = reportBuffer.indexOf('\n')) >= 0) {
        const line = reportBuffer.slice(0, newline);
        reportBuffer = reportBuffer.slice(newline + 1);
        onReport(line);
      }
    });
    started.stdin?.on('error', () => undefined);
    started.on('error', (error) => {
      if (child === started) onSpawnerGone(`the stage spawner failed: ${error.message}`);
    });
    started.on('exit', (code, exitSignal) => {
      if (child === started) onSpawnerGone(`the stage spawner exited (${exitSignal ?? `code ${code}`})`);
    });
    child = started;
    sentEnvironment = { ...env };
    refWhileBusy();
    return started;
  };
  const refWhileBusy = () => {
    if (!child) return;
    const input = child.stdin as unknown as { ref?: () => void; unref?: () => void } | null;
    const output = child.stdout as unknown as { ref?: () => void; unref?: () => void } | null;
    if (inFlight.size > 0) {
      child.ref();
      input?.ref?.();
      output?.ref?.();
    } else {
      child.unref();
      input?.unref?.();
      output?.unref?.();
    }
  };
  const takeFifos = (): [string, string] => {
    if (spareFifos.length < 2) {
      const made: string[] = [];
      for (let index = 0; index < FIFO_BATCH * 2; index++) made.push(join(folder!, `f${fifoCount++}`));
      const result = spawnSync('mkfifo', ['-m', '600', ...made], { stdio: 'ignore' });
      if (result.status !== 0) throw new Error('mkfifo failed');
      spareFifos.push(...made);
    }
    return [spareFifos.shift()!, spareFifos.shift()!];
  };

  return {
    start(spec, signal, onStarted) {
      // The spawner's environment is the first stage's; a later stage whose environment is far
      // from it (another caller's) restarts nothing: it is spawned by Node instead.
      const base = sentEnvironment ?? spec.env;
      const changes = environmentChanges(base, spec.env);
      const names = [...Object.keys(changes.set), ...changes.unset, ...Object.keys(spec.env)];
      if (!names.every((name) => EXPORTABLE_NAME.test(name) && !name.startsWith('mlc_spawner_'))) return undefined;
      const startedAt = Date.now();
      let spawner: ChildProcess;
      let fifos: [string, string];
      try {
        spawner = ensureSpawner(base);
        fifos = takeFifos();
      } catch {
        return undefined;
      }
      const id = nextId++;
      const holds: number[] = [];
      const readers: Socket[] = [];
      for (const fifo of fifos) {
        // Read end first (non-blocking, so the open returns at once), then a write end of our own
        // until the wrapper has opened its: without a writer a read would see end of file.
        const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
        holds.push(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        readers.push(new Socket({ fd: reader, readable: true, writable: false }));
      }
      const assignments = Object.entries(changes.set).map(([name, value]) => `+${name}=${value}`);
      const unsets = changes.unset.map((name) => `-${name}`);
      for (const name of SHELL_SET_VARIABLES) {
        const value = spec.env[name];
        if (value === undefined) unsets.push(`-${name}`);
        else if (!Object.hasOwn(changes.set, name)) assignments.push(`+${name}=${value}`);
      }
      const request = [
        'mlc_spawner_stage',
        String(id),
        spec.cwd,
        fifos[0],
        fifos[1],
        spec.command,
        ...assignments,
        ...unsets,
      ]
        .map(quoteForLine)
        .join(' ');
      let entry!: InFlight;
      const running = superviseProcess(spec, signal, startedAt, {
        pid: undefined,
        listen(events) {
          entry = { cwd: spec.cwd, events, readers, holds, fifos, pid: undefined, onStarted };
          inFlight.set(id, entry);
          const streams: OutputStream[] = ['stdout', 'stderr'];
          readers.forEach((reader, index) => {
            const stream = streams[index]!;
            reader.setEncoding('utf8');
            reader.on('data', (text: string) => events.data(stream, text));
            reader.on('error', () => undefined);
            reader.on('close', () => events.close(stream));
          });
        },
        dropOutput() {
          for (const reader of readers) reader.destroy();
        },
      });
      spawner.stdin?.write(`${request}\n`);
      refWhileBusy();
      void running.result.then(() => {
        inFlight.delete(id);
        release(id);
        refWhileBusy();
      });
      return running;
    },
    dispose() {
      child?.stdin?.end();
      child = undefined;
      if (folder) rmSync(folder, { recursive: true, force: true });
      folder = undefined;
      spareFifos.length = 0;
    },
  };
}

/** Starts through `spawner` when it can take the command, else as startProcess does. */
export function startThrough(
  spawner: StageSpawner | undefined,
  spec: ProcessSpec,
  signal: AbortSignal,
  onStarted: (pid: number | undefined) => void,
): RunningProcess {
  const running = spawner?.start(spec, signal, onStarted);
  if (running) return running;
  const started = startProcess(spec, signal);
  onStarted(started.pid);
  return started;
}

/** One shell word on one line: a newline inside the quotes comes from a variable. */
function quoteForLine(value: string): string {
  return quoteShellArgument(value).replaceAll('\n', `'"$mlc_spawner_newline"'`);
}

function signalName(number: number): string {
  for (const [name, value] of Object.entries(osConstants.signals)) if (value === number) return name;
  return `signal ${number}`;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function describeCwd(cwd: string): string {
  try {
    return statSync(cwd).isDirectory() ? `${cwd} (EACCES)` : `${cwd} (ENOTDIR)`;
  } catch (error) {
    return describeError(error);
  }
}
