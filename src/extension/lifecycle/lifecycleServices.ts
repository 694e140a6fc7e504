/**
 * What the Models and Deployments views, the Deploy panel and the lifecycle commands need from the
 * engine. createLifecycleServices binds it to the same engine and node functions `mlc register`,
 * `mlc promote`, `mlc deploy`, `mlc rollback` and `mlc undeploy` call, so the window and the CLI
 * deploy the same way and write the same records.
 */
import type { FiredAlert } from '../../engine/alerts/alertMonitor';
import type { DeployOutcome } from '../../engine/deploy/deployModelVersion';
import type { DeploymentOverview } from '../../engine/deploy/deployTargets';
import type { GateResult } from '../../engine/deploy/evaluateGates';
import type { Pipeline } from '../../engine/pipeline/model';
import type { Problem } from '../../engine/problems';
import type { ModelVersionRecord, Outcome, RegisteredModel } from '../../engine/registry/modelRegistry';
import type { RunSummary } from '../../engine/runs/model';

/** A workspace root with the pipelines the workspace state has loaded for it. */
export interface LifecycleScope {
  readonly root: string;
  readonly pipelines: readonly Pipeline[];
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

/** One step line of a deploy, rollback or undeploy (for the progress notification). */
export type ProgressReporter = (message: string) => void;

export interface LifecycleServices {
  /** mlc's registry plus the models declared under models: that have no version yet. */
  models(scope: LifecycleScope): { readonly models: readonly RegisteredModel[]; readonly problems: readonly Problem[] };
  /** Every deploy target of the scope with its recorded deployment, process state and history. */
  deployments(scope: LifecycleScope): Promise<readonly DeploymentOverview[]>;
  /** The gates of a target for one version (metric thresholds, champion/challenger), as a deploy would judge them. */
  previewGates(scope: LifecycleScope, targetName: string, version: number): readonly GateResult[];
  register(
    scope: LifecycleScope,
    modelName: string,
    run: RunSummary,
    progress: ProgressReporter,
  ): Promise<Outcome<ModelVersionRecord>>;
  promote(
    scope: LifecycleScope,
    model: string,
    version: number,
    alias: string,
  ): Promise<Outcome<{ readonly previous?: number }>>;
  /** Outcome failure: the target or version could not be resolved (nothing was started). */
  deploy(
    scope: LifecycleScope,
    targetName: string,
    version: number | undefined,
    progress: ProgressReporter,
  ): Promise<Outcome<DeployOutcome>>;
  rollback(scope: LifecycleScope, targetName: string, progress: ProgressReporter): Promise<Outcome<DeployOutcome>>;
  undeploy(scope: LifecycleScope, targetName: string, progress: ProgressReporter): Promise<Outcome<string>>;
  /** Appends a `deployment:` alert fired between runs to the audit log. */
  recordAlert(scope: LifecycleScope, alert: FiredAlert): Promise<void>;
  /** One GET of a target's health URL on the target's host, timed. */
  probe(scope: LifecycleScope, targetName: string, url: string): Promise<ProbeResult>;
  /** The last `lines` lines of a server log on the target's host (an ssh host: read over ssh). */
  serverLogTail(
    scope: LifecycleScope,
    targetName: string,
    logFile: string,
    lines: number,
  ): Promise<Outcome<readonly string[]>>;
}
