import { basename, join, relative } from 'pathe';
import { describeUser } from '../audit/auditLog';
import { quoteShellArgument } from '../commandLine/quoteShellArgument';
import type { ContentHasher } from '../hashing/ports';
import type { DeployTargetConfig } from '../pipeline/model';
import type { Clock, FileSystem, GitClient } from '../ports';
import {
  checkVersionIntact,
  type ModelVersionRecord,
  type RegisteredModel,
  versionArtifactPath,
} from '../registry/modelRegistry';
import {
  appendDeploymentHistory,
  clearCurrentDeployment,
  type CurrentDeployment,
  type DeploymentAction,
  deploymentFolder,
  readCurrentDeployment,
  serverLogName,
  serverLogsToPrune,
  writeCurrentDeployment,
} from './deploymentState';
import { evaluateGates, type GateResult } from './evaluateGates';
import { startCommandFiles } from './startCommandFiles';
import { type DeployHost, DeployHostError } from './ports';
import { describeError } from '../engineError';

export interface DeployPorts {
  readonly fs: FileSystem;
  readonly hasher: ContentHasher;
  readonly git: GitClient;
  readonly clock: Clock;
  readonly host: DeployHost;
  /** One line per step, for people (stderr in the CLI, the notification in the extension). */
  readonly progress: (message: string) => void;
  /** Appends to the audit log (appendAuditEntry bound to the workspace). */
  readonly audit: (
    type: 'gate' | 'deploy' | 'rollback' | 'undeploy',
    data: Readonly<Record<string, unknown>>,
  ) => Promise<void>;
}

export interface DeployRequest {
  readonly workspaceRoot: string;
  /** Where the start command runs: the folder of the pipeline file declaring the target. */
  readonly commandRoot: string;
  readonly target: DeployTargetConfig;
  readonly model: RegisteredModel;
  readonly version: ModelVersionRecord;
  readonly action: Exclude<DeploymentAction, 'undeploy'>;
  /** A rollback returns to a version that already served: its metric gates are not asked again. */
  readonly skipMetricGates?: boolean;
  /** How long the new version has to answer its health URL (default 30 s). */
  readonly healthTimeoutMs?: number;
}

export interface DeployOutcome {
  readonly ok: boolean;
  readonly target: string;
  readonly version: number;
  readonly previousVersion: number | null;
  readonly gates: readonly GateResult[];
  /** What went wrong and what to do, when not ok. */
  readonly reason?: string;
  /** What serves the target afterwards (the previous version after a failure, if it was serving). */
  readonly current?: CurrentDeployment;
  /** The log of the server this attempt started (on the target's host), when it got that far. */
  readonly logFile?: string;
}

const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 250;
/** Without a health URL, a server that is still running after this long counts as started. */
const NO_HEALTH_SETTLE_MS = 2_000;
const LOG_TAIL_LINES = 10;

/**
 * Gates, then the switch. With `{port}` in the start command the new version starts beside the old
 * one on a free port and `current` moves only once it is healthy (blue-green); with a fixed port
 * the old one stops first and is started again if the new one is not healthy in time. Either way a
 * failure leaves the previous version serving, and every attempt is recorded in history.jsonl and
 * the audit log.
 */
export async function deployModelVersion(ports: DeployPorts, request: DeployRequest): Promise<DeployOutcome> {
  const { fs, host, progress } = ports;
  const { target, version, workspaceRoot } = request;
  const label = `${target.model} v${version.version}`;
  const previous = await liveDeployment(ports, workspaceRoot, target.name);
  const base = { target: target.name, version: version.version, previousVersion: previous?.version ?? null };

  /** The log of this attempt's start of `version` (not of a previous version started again). */
  let attemptLogFile: string | undefined;
  const startAttempt = async (port: number | undefined) => {
    const started = await startVersion(ports, request, version, port);
    attemptLogFile = started.ok ? started.current.logFile : started.logFile;
    return started;
  };
  const finish = async (
    outcome: Omit<DeployOutcome, 'target' | 'version' | 'previousVersion'>,
  ): Promise<DeployOutcome> => {
    const git = await ports.git.state(workspaceRoot);
    const gates = outcome.gates.map(({ gate, passed, value, threshold }) => ({ gate, passed, value, threshold }));
    const summary = {
      target: target.name,
      model: target.model,
      version: version.version,
      previousVersion: base.previousVersion,
      result: outcome.ok ? ('succeeded' as const) : ('failed' as const),
      ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      ...(attemptLogFile !== undefined ? { logFile: attemptLogFile } : {}),
    };
    appendDeploymentHistory(fs, workspaceRoot, {
      when: new Date(ports.clock.now()).toISOString(),
      who: describeUser(git.user),
      action: request.action,
      ...summary,
      gates,
    });
    await ports.audit(request.action, summary);
    return { ...base, ...outcome, ...(attemptLogFile !== undefined ? { logFile: attemptLogFile } : {}) };
  };

  const gates: GateResult[] = [];
  if (!request.skipMetricGates) {
    progress(`Checking the gates of ${target.name} for ${label}`);
    gates.push(...evaluateGates(target.gates, version, request.model));
    for (const result of gates) progress(`  ${result.passed ? 'pass' : 'FAIL'} ${result.message}`);
    await ports.audit('gate', { target: target.name, model: target.model, version: version.version, results: gates });
    const failed = gates.filter((result) => !result.passed);
    if (failed.length > 0) {
      return finish({
        ok: false,
        gates,
        reason: `gate failed: ${failed.map((result) => result.message).join(' ')}`,
        ...(previous ? { current: previous } : {}),
      });
    }
  }
  // A remote host that stops answering midway fails this deploy with its reason, never mlc.
  const switchVersions = async (): Promise<DeployOutcome> => {
    const intact = await checkVersionIntact(ports.hasher, workspaceRoot, version);
    if (!intact.ok)
      return finish({ ok: false, gates, reason: intact.message, ...(previous ? { current: previous } : {}) });

    const blueGreen = target.start.includes('{port}');
    if (blueGreen) {
      const port = await host.freePort();
      progress(
        `Starting ${label} on port ${port} beside ${previous ? `v${previous.version}` : 'nothing'} (blue-green)`,
      );
      const started = await startAttempt(port);
      if (!started.ok) {
        return finish({
          ok: false,
          gates: [...gates, smokeResult(started)],
          reason: started.reason,
          ...(previous ? { current: previous } : {}),
        });
      }
      writeCurrentDeployment(fs, workspaceRoot, started.current);
      progress(`${label} is healthy; traffic now goes to ${started.current.healthUrl ?? `pid ${started.current.pid}`}`);
      if (previous) {
        progress(`Stopping v${previous.version} (pid ${previous.pid})`);
        await host.stop(previous.pid, previous.commandLine);
      }
      return finish({ ok: true, gates: [...gates, smokeResult(started)], current: started.current });
    }

    const port = fixedPort(target.health);
    if (previous) {
      progress(`Stopping v${previous.version} (pid ${previous.pid}) to free the fixed port`);
      await host.stop(previous.pid, previous.commandLine);
    }
    let failure: { reason: string; smoke?: GateResult };
    if (port !== undefined && !(await host.isPortFree(port))) {
      failure = {
        reason: `port ${port} is in use by another process (not a deployment of ${target.name}); stop it or change the port in the start command and health URL.`,
      };
    } else {
      progress(`Starting ${label}${port !== undefined ? ` on port ${port}` : ''}`);
      const started = await startAttempt(port);
      if (started.ok) {
        writeCurrentDeployment(fs, workspaceRoot, started.current);
        progress(`${label} is healthy at ${started.current.healthUrl ?? `pid ${started.current.pid}`}`);
        return finish({ ok: true, gates: [...gates, smokeResult(started)], current: started.current });
      }
      failure = { reason: started.reason, smoke: smokeResult(started) };
    }
    const allGates = failure.smoke ? [...gates, failure.smoke] : gates;
    if (!previous) {
      clearCurrentDeployment(fs, workspaceRoot, target.name);
      return finish({ ok: false, gates: allGates, reason: failure.reason });
    }
    const previousRecord = request.model.versions.find((record) => record.version === previous.version);
    if (!previousRecord) {
      clearCurrentDeployment(fs, workspaceRoot, target.name);
      return finish({
        ok: false,
        gates: allGates,
        reason: `${failure.reason} The previous version ${previous.version} is no longer registered, so nothing serves ${target.name} now.`,
      });
    }
    progress(`Starting v${previous.version} again`);
    const restored = await startVersion(ports, request, previousRecord, port);
    if (restored.ok) {
      writeCurrentDeployment(fs, workspaceRoot, restored.current);
      progress(`v${previous.version} serves again`);
      return finish({
        ok: false,
        gates: allGates,
        reason: `${failure.reason} v${previous.version} was started again and serves.`,
        current: restored.current,
      });
    }
    clearCurrentDeployment(fs, workspaceRoot, target.name);
    return finish({
      ok: false,
      gates: allGates,
      reason: `${failure.reason} Starting v${previous.version} again failed too: ${restored.reason} Nothing serves ${target.name} now.`,
    });
  };
  try {
    return await switchVersions();
  } catch (error) {
    if (!(error instanceof DeployHostError)) throw error;
    return finish({
      ok: false,
      gates,
      reason: `${error.message}; what serves ${target.name} could not be checked or changed there.`,
      ...(previous ? { current: previous } : {}),
    });
  }
}

/** The recorded deployment of a target when its process still runs the recorded command line. */
export async function liveDeployment(
  ports: { readonly fs: FileSystem; readonly host: DeployHost },
  workspaceRoot: string,
  target: string,
): Promise<CurrentDeployment | undefined> {
  const current = readCurrentDeployment(ports.fs, workspaceRoot, target);
  if (!current) return undefined;
  // A pid means something only on the host that started it.
  if (current.host !== ports.host.name) return undefined;
  return (await ports.host.commandLineOf(current.pid)) === current.commandLine ? current : undefined;
}

function smokeResult(started: StartResult): GateResult {
  return started.ok
    ? {
        gate: 'smoke test',
        passed: true,
        message: `smoke test: ${started.current.healthUrl ?? 'the server'} answered.`,
      }
    : { gate: 'smoke test', passed: false, message: `smoke test: ${started.reason}` };
}

/** The port of a fixed health URL (`http://127.0.0.1:8601/health` -> 8601), when it names one. */
function fixedPort(healthUrl: string | undefined): number | undefined {
  const match = healthUrl ? /^[a-z]+:\/\/[^/:]+:(\d+)/i.exec(healthUrl) : null;
  return match ? Number(match[1]) : undefined;
}

type StartResult =
  | { readonly ok: true; readonly current: CurrentDeployment }
  /** `logFile`: the start's own log, once it got that far. */
  | { readonly ok: false; readonly reason: string; readonly logFile?: string };

/** Starts one version and waits until it is healthy; stops it again when it is not. */
async function startVersion(
  ports: DeployPorts,
  request: DeployRequest,
  version: ModelVersionRecord,
  port: number | undefined,
): Promise<StartResult> {
  const { host, clock } = ports;
  const { target, workspaceRoot } = request;
  const artifact = relative(workspaceRoot, versionArtifactPath(workspaceRoot, version));
  const code = startCommandFiles(ports.fs, request.commandRoot, target.start).map((path) =>
    relative(workspaceRoot, join(request.commandRoot, path)),
  );
  const placed = await host.place(workspaceRoot, [artifact, ...code]);
  if (!placed.ok) return { ok: false, reason: placed.reason };
  // The same files on the host, under the folder that stands for the workspace root there.
  const onHost = (path: string) => join(placed.root, relative(workspaceRoot, path));
  const portText = port === undefined ? '' : String(port);
  const command = target.start
    .replaceAll('{model}', quoteShellArgument(join(placed.root, artifact)))
    .replaceAll('{port}', portText);
  const healthUrl = target.health?.replaceAll('{port}', portText);
  // Each start has its own log, so a failure's last lines are this start's, never an older server's.
  const startTime = new Date(clock.now()).toISOString();
  const localLogFile = join(deploymentFolder(workspaceRoot, target.name), serverLogName(version.version, startTime));
  const logFile = onHost(localLogFile);
  const logPlace = host.name === 'local' ? logFile : `${logFile} on ${host.name}`;
  ports.fs.makeDirectory(deploymentFolder(workspaceRoot, target.name));
  await pruneServerLogs(ports, workspaceRoot, target.name, onHost);
  ports.fs.appendFile(localLogFile, `--- v${version.version} ${startTime}: ${command}\n`);
  let pid: number;
  try {
    pid = await host.start(command, { cwd: onHost(request.commandRoot), logFile });
  } catch (error) {
    return {
      ok: false,
      reason: `the start command could not be started (${describeError(error)}): ${command}`,
      logFile,
    };
  }
  const timeoutMs = request.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const deadline = clock.now() + (healthUrl ? timeoutMs : NO_HEALTH_SETTLE_MS);
  let lastAnswer = 'no answer yet';
  for (;;) {
    const exit = await host.exitOf(pid);
    if (exit) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const tail = (await host.logTail(logFile, LOG_TAIL_LINES)).join('\n    ');
      return {
        ok: false,
        reason: `the start command ${how} before it was healthy: ${command}\n  last log lines:\n    ${tail}`,
        logFile,
      };
    }
    if (healthUrl) {
      const answer = await host.probe(healthUrl);
      if (answer.ok) break;
      lastAnswer = answer.error ?? `HTTP ${answer.status}${answer.body ? ` ${answer.body}` : ''}`;
    }
    if (clock.now() >= deadline) {
      if (!healthUrl) break;
      const commandLine = await host.commandLineOf(pid);
      if (commandLine !== undefined) await host.stop(pid, commandLine);
      return {
        ok: false,
        reason: `health not reached within ${Math.round(timeoutMs / 1000)} s at ${healthUrl} (last answer: ${lastAnswer}); see ${logPlace}.`,
        logFile,
      };
    }
    await host.sleep(PROBE_INTERVAL_MS);
  }
  const commandLine = await host.commandLineOf(pid);
  if (commandLine === undefined) {
    return { ok: false, reason: `the server (pid ${pid}) ended right after starting; see ${logPlace}.`, logFile };
  }
  return {
    ok: true,
    current: {
      target: target.name,
      model: version.model,
      version: version.version,
      pid,
      commandLine,
      command,
      port: port ?? null,
      healthUrl: healthUrl ?? null,
      host: host.name,
      startedAt: new Date(clock.now()).toISOString(),
      logFile,
    },
  };
}

/**
 * Makes room for one more server log: the oldest beyond KEPT_SERVER_LOGS go, here and on the host
 * (a remote host has the server's output, the workspace the start's header line). The serving
 * version's log stays. A host that cannot be told is reported, not fatal: a log is not worth a deploy.
 */
async function pruneServerLogs(
  ports: DeployPorts,
  workspaceRoot: string,
  target: string,
  onHost: (path: string) => string,
): Promise<void> {
  const folder = deploymentFolder(workspaceRoot, target);
  const serving = readCurrentDeployment(ports.fs, workspaceRoot, target)?.logFile;
  let names: string[];
  try {
    names = ports.fs.readDirectory(folder).map((entry) => entry.name);
  } catch {
    return; // No folder yet: the first start of this target.
  }
  const pruned = serverLogsToPrune(names, serving === undefined ? undefined : basename(serving)).map((name) =>
    join(folder, name),
  );
  if (pruned.length === 0) return;
  for (const file of pruned) ports.fs.remove(file);
  const onTheHost = pruned.map(onHost).filter((file, index) => file !== pruned[index]);
  if (onTheHost.length === 0) return;
  try {
    await ports.host.removeFiles(onTheHost);
  } catch (error) {
    if (!(error instanceof DeployHostError)) throw error;
    ports.progress(`Old server logs stay on ${ports.host.name}: ${error.message}`);
  }
}

/** Stops what serves a target (only the recorded process) and forgets it. */
export async function undeployTarget(
  ports: DeployPorts,
  request: { readonly workspaceRoot: string; readonly target: DeployTargetConfig },
): Promise<{ readonly ok: boolean; readonly stoppedVersion: number | null; readonly message: string }> {
  const { fs, host } = ports;
  const recorded = readCurrentDeployment(fs, request.workspaceRoot, request.target.name);
  const live = await liveDeployment(ports, request.workspaceRoot, request.target.name);
  let message: string;
  if (live) {
    ports.progress(`Stopping v${live.version} (pid ${live.pid})`);
    await host.stop(live.pid, live.commandLine);
    message = `${request.target.name}: v${live.version} stopped.`;
  } else if (recorded) {
    message = `${request.target.name}: v${recorded.version} (pid ${recorded.pid}) was no longer running; nothing to stop.`;
  } else {
    message = `${request.target.name} is not deployed; nothing to stop.`;
  }
  clearCurrentDeployment(fs, request.workspaceRoot, request.target.name);
  const git = await ports.git.state(request.workspaceRoot);
  const version = recorded?.version ?? null;
  appendDeploymentHistory(fs, request.workspaceRoot, {
    when: new Date(ports.clock.now()).toISOString(),
    who: describeUser(git.user),
    action: 'undeploy',
    target: request.target.name,
    model: request.target.model,
    version,
    previousVersion: version,
    result: 'succeeded',
  });
  await ports.audit('undeploy', {
    target: request.target.name,
    model: request.target.model,
    version,
    stopped: live !== undefined,
  });
  return { ok: true, stoppedVersion: live ? live.version : null, message };
}
