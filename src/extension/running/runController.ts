import * as vscode from 'vscode';
import type { FiredAlert } from '../../engine/alerts/alertMonitor';
import type { Logger } from '../../engine/ports';
import type { RunStatus } from '../../engine/runs/model';
import type { EngineServices, RunListener, RunOutcome, RunRequest } from '../engineServices';
import type { LiveStage } from '../presentation';
import { describeError } from '../../engine/engineError';

/** One pipeline run started from this window, as the status bar and the views see it. */
export interface ActiveRun {
  readonly request: RunRequest;
  readonly runId: string | undefined;
  readonly planned: readonly string[];
  readonly finished: number;
  /** Stages running now, in start order. */
  readonly runningStages: readonly string[];
}

interface MutableRun {
  request: RunRequest;
  runId: string | undefined;
  planned: readonly string[];
  finished: number;
  runningStages: string[];
  /** Running stages whose Slurm job still waits in the queue, with Slurm's pending reason. */
  queuedReasons: Map<string, string>;
  cancel(): void;
}

/** An alert that fired in a run started from this window. */
export interface RunAlert {
  readonly root: string;
  readonly runId: string | undefined;
  readonly alert: FiredAlert;
}

/** Where a run's progress and output go (a terminal). */
export type RunSink = RunListener;

/** What onDidStartRun tells: the run's id and root, its request, the addresses of its stages. */
export interface RunStart {
  readonly runId: string;
  readonly root: string;
  readonly request: RunRequest;
  readonly planned: readonly string[];
}

/**
 * Starts runs through the engine and keeps track of the ones in flight: which stages are
 * running (the tree shows them), progress (the status bar), and how to stop them. Refuses to run
 * anything in an untrusted workspace, whatever called it.
 */
export class RunController implements vscode.Disposable {
  private readonly active = new Set<MutableRun>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** A run started, progressed or ended. */
  readonly onDidChange = this.changed.event;
  private readonly finishedEmitter = new vscode.EventEmitter<RunOutcome>();
  readonly onDidFinishRun = this.finishedEmitter.event;
  private readonly alertEmitter = new vscode.EventEmitter<RunAlert>();
  readonly onDidFireAlert = this.alertEmitter.event;
  /** Alerts of the runs in flight and of the last run that ended; a new run starts the list afresh. */
  private alerts: RunAlert[] = [];
  private readonly startedEmitter = new vscode.EventEmitter<RunStart>();
  /**
   * A run got its id (its record exists) and was planned: panels can show it while it runs, and the
   * runners its stages use can be checked.
   */
  readonly onDidStartRun = this.startedEmitter.event;

  constructor(
    private readonly engine: EngineServices,
    private readonly logger: Logger,
  ) {}

  activeRuns(): ActiveRun[] {
    return [...this.active].map((run) => ({ ...run, runningStages: [...run.runningStages] }));
  }

  activeAlerts(): readonly RunAlert[] {
    return [...this.alerts];
  }

  /** The stages of the runs in flight, each queued (its Slurm job waits, with the reason) or running. */
  liveStages(): ReadonlyMap<string, LiveStage> {
    return new Map(
      [...this.active].flatMap((run) =>
        run.runningStages.map((address): [string, LiveStage] => {
          const reason = run.queuedReasons.get(address);
          return [address, reason === undefined ? { state: 'running' } : { state: 'queued', reason }];
        }),
      ),
    );
  }

  /** Runs `request`, reporting to `sink`; resolves when the run ends. Aborting `signal` stops it. */
  async run(request: RunRequest, sink: RunSink, signal?: AbortSignal): Promise<RunOutcome> {
    if (!vscode.workspace.isTrusted) {
      sink.message('This workspace is not trusted: mlc runs nothing in Restricted Mode.');
      return { runId: undefined, status: 'cancelled' };
    }
    const run: MutableRun = {
      request,
      runId: undefined,
      planned: [],
      finished: 0,
      runningStages: [],
      queuedReasons: new Map(),
      cancel: () => undefined,
    };
    const update = () => this.changed.fire();
    const listener: RunListener = {
      runStarted: (runId, planned) => {
        run.runId = runId;
        run.planned = planned;
        sink.runStarted(runId, planned);
        update();
        this.startedEmitter.fire({ runId, root: request.root, request, planned });
      },
      stageStarted: (address) => {
        run.runningStages.push(address);
        sink.stageStarted(address);
        update();
      },
      stageOutput: (address, text) => sink.stageOutput(address, text),
      stagePlacement: (address, placement) => {
        if (placement.state === 'queued') run.queuedReasons.set(address, placement.reason ?? 'queued');
        else run.queuedReasons.delete(address);
        update();
      },
      stageFinished: (address, status, durationMs) => {
        run.runningStages = run.runningStages.filter((candidate) => candidate !== address);
        run.queuedReasons.delete(address);
        run.finished++;
        sink.stageFinished(address, status, durationMs);
        update();
      },
      message: (text) => sink.message(text),
      alertFired: (alert) => {
        sink.message(`⚠ alert: ${alert.message} (${alert.pipeline}:${alert.line})`);
        const fired = { root: request.root, runId: run.runId, alert };
        this.alerts.push(fired);
        this.alertEmitter.fire(fired);
      },
    };
    if (this.active.size === 0) this.alerts = [];
    this.active.add(run);
    update();
    this.logger.info('Run started', { root: request.root, targets: request.targets, force: request.force });
    let outcome: RunOutcome;
    try {
      const handle = this.engine.startRun(request, listener);
      run.cancel = () => handle.cancel();
      signal?.addEventListener('abort', () => handle.cancel(), { once: true });
      if (signal?.aborted) handle.cancel();
      outcome = await handle.done;
    } catch (error) {
      this.logger.error('Run failed to start', { error: String(error) });
      sink.message(`The run could not start: ${describeError(error)}`);
      outcome = { runId: run.runId, status: 'failed' satisfies RunStatus };
    } finally {
      this.active.delete(run);
      update();
    }
    this.logger.info('Run ended', { runId: outcome.runId, status: outcome.status });
    this.finishedEmitter.fire(outcome);
    return outcome;
  }

  /** Stops the runs in flight (all, or the one with `runId`); returns how many were asked to stop. */
  stop(runId?: string): number {
    const targets = [...this.active].filter((run) => runId === undefined || run.runId === runId);
    for (const run of targets) run.cancel();
    return targets.length;
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
    this.finishedEmitter.dispose();
    this.alertEmitter.dispose();
    this.startedEmitter.dispose();
  }
}
