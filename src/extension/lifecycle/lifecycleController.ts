import { relative } from 'node:path';
import * as vscode from 'vscode';
import type { DeploymentHealth as AlertDeploymentHealth, FiredAlert } from '../../engine/alerts/alertMonitor';
import { deploymentAlertRules, deploymentOutageAlerts } from '../../engine/alerts/deploymentOutages';
import type { DeployOutcome } from '../../engine/deploy/deployModelVersion';
import type { DeploymentOverview } from '../../engine/deploy/deployTargets';
import type { HealthSummary } from '../../engine/deploy/healthStats';
import type { Logger } from '../../engine/ports';
import type { MlflowRegisteredModel } from '../../engine/readers/mlflow/registryModel';
import type { Outcome, RegisteredModel } from '../../engine/registry/modelRegistry';
import { readSettings } from '../settings';
import type { WorkspaceState } from '../state/workspaceState';
import { ensureTrusted } from '../workspaceTrust';
import { HealthMonitor } from './healthMonitor';
import { remoteHostOf } from './recordedServerLog';
import { remoteServerLogUri } from './remoteServerLogs';
import type { LifecycleScope, LifecycleServices } from './lifecycleServices';
import { deploymentHealth, needsProductionConfirmation } from './lifecycleViewModels';

/** A deploy target as the views, the status bar and the panel see it. */
export interface TargetEntry {
  readonly scope: LifecycleScope;
  readonly overview: DeploymentOverview;
  /** Changes when another process serves the target, so health samples start again. */
  readonly key: string;
}

export interface ModelEntry {
  readonly scope: LifecycleScope;
  readonly model: RegisteredModel;
}

/** A model of an MLflow registry: shown, never changed (register, promote, deploy are mlc's). */
export interface MlflowModelEntry {
  readonly root: string;
  /** The registry's mlruns folder or mlflow.db, relative to `root` (`.` when it is the root). */
  readonly location: string;
  readonly model: MlflowRegisteredModel;
}

const OPEN_LOG = 'Open Server Log';
const ROLL_BACK = 'Roll Back…';

/**
 * The window's picture of models and deployments, and the one place that deploys, rolls back and
 * undeploys (through LifecycleServices, the CLI's engine functions): progress in the notification
 * area naming each step, a failure shown with what to fix, confirmation where production is at
 * stake, Workspace Trust required. Polls health while the Deployments view or the Deploy panel is
 * visible, and tells when a deployment goes down.
 */
export class LifecycleController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private entries: TargetEntry[] = [];
  private readonly monitor: HealthMonitor;
  private readonly watchers = new Set<string>();
  private readonly shownHealth = new Map<string, string>();
  private busy: string | undefined;
  /** Per workspace root, the targets in an outage a `deployment:` alert already fired for. */
  private readonly outages = new Map<string, ReadonlySet<string>>();
  /** Bumped by every reload, so an older reload that finishes late never replaces a newer picture. */
  private reloads = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly services: LifecycleServices,
    private readonly state: WorkspaceState,
    private readonly logger: Logger,
  ) {
    this.monitor = new HealthMonitor({
      probe: (deployment) => {
        const entry = this.entries.find((candidate) => candidate.key === deployment.key);
        return entry
          ? services.probe(entry.scope, entry.overview.target.name, deployment.healthUrl)
          : Promise.resolve({ ok: false, latencyMs: 0, error: 'no longer deployed' });
      },
      deployments: async () => {
        // Every round re-reads the records (small files), so deploys from a terminal show up too.
        await this.reload(false);
        return this.entries
          .filter((entry) => entry.overview.running && entry.overview.recorded?.healthUrl)
          .map((entry) => ({ key: entry.key, healthUrl: entry.overview.recorded!.healthUrl! }));
      },
      intervalMs: () => readSettings().deploymentPollInterval * 1000,
      now: () => Date.now(),
      onDidPoll: () => this.didChange(),
      // A recorded deployment without a health URL (or whose server ended) is still re-read each round.
      keepPolling: () => this.entries.some((entry) => entry.overview.recorded),
    });
    this.subscriptions = [
      state.onDidChangePipelines(() => this.refresh()),
      state.onDidChangeRuns(() => this.refresh()),
      // A deploy, rollback or undeploy from a terminal (or another window) shows at once.
      state.onDidChangeLifecycleRecords(() => this.refresh()),
    ];
  }

  get busyTarget(): string | undefined {
    return this.busy;
  }

  scopes(): LifecycleScope[] {
    return this.state.views().map((view) => ({ root: view.root, pipelines: view.pipelines }));
  }

  models(): ModelEntry[] {
    return this.scopes().flatMap((scope) => {
      const listing = this.services.models(scope);
      for (const problem of listing.problems) this.logger.warn('A registry record could not be read', { ...problem });
      return listing.models.map((model) => ({ scope, model }));
    });
  }

  mlflowModels(): MlflowModelEntry[] {
    return this.state.mlflowRegistries().flatMap(({ root, registry }) => {
      const location = relative(root, registry.location) || '.';
      return registry.models.map((model) => ({ root, location, model }));
    });
  }

  /** Whether the run list (what Show Run Details can open) has this run. */
  isKnownRun(runId: string): boolean {
    return this.state.runs().some((run) => run.id === runId);
  }

  modelOf(entry: TargetEntry): RegisteredModel {
    return (
      this.services.models(entry.scope).models.find((model) => model.name === entry.overview.target.model) ?? {
        name: entry.overview.target.model,
        versions: [],
        aliases: {},
      }
    );
  }

  targets(): readonly TargetEntry[] {
    return this.entries;
  }

  findTarget(name: string): TargetEntry | undefined {
    return this.entries.find((entry) => entry.overview.target.name === name);
  }

  summary(entry: TargetEntry): HealthSummary | undefined {
    return this.monitor.summary(entry.key);
  }

  previewGates(entry: TargetEntry, version: number) {
    return this.services.previewGates(entry.scope, entry.overview.target.name, version);
  }

  /** `source` (the view or the panel) is visible or not; health is polled while any is. */
  setWatching(source: string, visible: boolean): void {
    if (visible) this.watchers.add(source);
    else this.watchers.delete(source);
    this.updatePolling();
  }

  /**
   * Health rounds run while the Deployments view or the Deploy panel is visible, and while the
   * status bar item is shown (something is deployed), so a deployment that goes down is noticed
   * (and its `deployment:` alerts fire) with nothing open: one probe per deployment per interval.
   */
  private updatePolling(): void {
    this.monitor.setActive(this.watchers.size > 0 || this.entries.some((entry) => entry.overview.recorded));
  }

  /** Re-reads the registry and deployment records and polls health again soon. */
  refresh(): void {
    void this.reload(true);
    this.monitor.pollSoon();
  }

  /**
   * Re-reads every target's records and asks its host whether the recorded process still runs:
   * asynchronous (an ssh target's host is asked with an `ssh` child process), the newest reload wins.
   */
  private async reload(notify: boolean): Promise<void> {
    const reload = ++this.reloads;
    let entries: TargetEntry[];
    try {
      const scopes = this.scopes();
      const overviews = await Promise.all(scopes.map((scope) => this.services.deployments(scope)));
      entries = scopes.flatMap((scope, index) =>
        overviews[index]!.map((overview) => ({
          scope,
          overview,
          key: `${scope.root}\0${overview.target.name}\0${overview.recorded?.pid ?? ''}`,
        })),
      );
    } catch (error) {
      this.logger.warn('The deployments could not be read', { error: String(error) });
      return;
    }
    if (reload !== this.reloads) return;
    this.entries = entries;
    this.updatePolling();
    if (notify) this.didChange();
  }

  private didChange(): void {
    const alerted = this.fireDeploymentAlerts();
    this.announceDowns(alerted);
    this.changed.fire();
  }

  /** Why a target is down, in the words `deployment:` alerts use during a run (checkDeploymentHealth). */
  private downReason(entry: TargetEntry): string {
    const recorded = entry.overview.recorded;
    return !entry.overview.running
      ? (entry.overview.unreachable ?? `its server process (pid ${recorded?.pid}) is no longer running`)
      : `${recorded?.healthUrl} did not answer (${this.summary(entry)?.lastError ?? 'an error'})`;
  }

  /**
   * The `deployment:` alerts of mlc.yaml, between runs: once per outage each, as a notification
   * and an audit entry. Returns the targets (`root\0name`) whose downs these alerts announce.
   */
  private fireDeploymentAlerts(): Set<string> {
    const covered = new Set<string>();
    for (const scope of this.scopes()) {
      const rules = deploymentAlertRules(scope.root, scope.pipelines);
      if (rules.length === 0) continue;
      const health = new Map<string, AlertDeploymentHealth | undefined>();
      for (const entry of this.entries.filter((candidate) => candidate.scope.root === scope.root)) {
        const name = entry.overview.target.name;
        if (rules.some((watched) => watched.rule.deployment === name)) covered.add(`${scope.root}\0${name}`);
        const shown = deploymentHealth(entry.overview, this.summary(entry));
        // Not known yet, or being switched by this window (a fixed port is down for a moment).
        if (shown === 'unknown' || this.busy === name) health.set(name, undefined);
        else health.set(name, shown === 'down' ? { state: 'down', reason: this.downReason(entry) } : { state: shown });
      }
      const result = deploymentOutageAlerts(rules, health, this.outages.get(scope.root) ?? new Set(), Date.now());
      this.outages.set(scope.root, result.inOutage);
      for (const alert of result.fired) this.announceAlert(scope, alert);
    }
    return covered;
  }

  private announceAlert(scope: LifecycleScope, alert: FiredAlert): void {
    this.logger.warn('Deployment alert', { ...alert });
    this.services
      .recordAlert(scope, alert)
      .catch((error: unknown) =>
        this.logger.warn('The alert could not be appended to .mlc/audit.jsonl', { error: String(error) }),
      );
    const entry = this.entries.find(
      (candidate) => candidate.scope.root === scope.root && candidate.overview.target.name === alert.deployment,
    );
    void vscode.window
      .showErrorMessage(
        `Alert (${alert.pipeline}:${alert.line}): ${alert.message}.`,
        ...(entry?.overview.rollbackVersion !== undefined ? [ROLL_BACK] : []),
        OPEN_LOG,
      )
      .then((choice) => entry && this.followUp(choice, entry));
  }

  /**
   * A notification when a deployment goes down (not while this window is switching it, and not
   * for the targets a `deployment:` alert covers: that alert is the notification).
   */
  private announceDowns(alerted: ReadonlySet<string>): void {
    for (const entry of this.entries) {
      const name = entry.overview.target.name;
      const health = deploymentHealth(entry.overview, this.summary(entry));
      const before = this.shownHealth.get(name);
      this.shownHealth.set(name, health);
      if (health !== 'down' || before === 'down' || this.busy === name) continue;
      if (alerted.has(`${entry.scope.root}\0${name}`)) continue;
      const recorded = entry.overview.recorded;
      const why = !entry.overview.running
        ? (entry.overview.unreachable ?? `its server process (pid ${recorded?.pid}) is gone`)
        : `${recorded?.healthUrl} answers ${this.summary(entry)?.lastError ?? 'with an error'}`;
      void vscode.window
        .showErrorMessage(
          `Deployment ${name} (${entry.overview.target.model} v${recorded?.version}) is down: ${why}.`,
          ...(entry.overview.rollbackVersion !== undefined ? [ROLL_BACK] : []),
          OPEN_LOG,
        )
        .then((choice) => this.followUp(choice, entry));
    }
  }

  private followUp(choice: string | undefined, entry: TargetEntry, logFile?: string): void {
    if (choice === ROLL_BACK) void this.rollback(entry.overview.target.name);
    if (choice === OPEN_LOG) void this.openLog(entry.overview.target.name, logFile);
  }

  /**
   * A server log in an editor: `logFile` (a failed start's own log), else the serving version's,
   * else the log of the last attempt.
   */
  async openLog(targetName: string, logFile?: string): Promise<void> {
    const entry = this.findTarget(targetName);
    logFile ??= entry?.overview.recorded?.logFile ?? entry?.overview.history.at(-1)?.logFile;
    if (entry && logFile && remoteHostOf(entry) !== undefined) {
      // On an ssh host: its last lines, read over ssh, in a read-only document.
      await vscode.window.showTextDocument(
        await vscode.workspace.openTextDocument(remoteServerLogUri(targetName, logFile)),
      );
      return;
    }
    try {
      if (logFile) {
        await vscode.window.showTextDocument(vscode.Uri.file(logFile));
        return;
      }
    } catch {
      // No log yet: said below.
    }
    void vscode.window.showInformationMessage(`${targetName} has no server log yet: deploy it first.`);
  }

  /** Asks before touching production; true to go on. */
  private async confirm(entry: TargetEntry, nextVersion: number, verb: string): Promise<boolean> {
    const model = this.modelOf(entry);
    if (
      !needsProductionConfirmation(entry.overview.target.name, model, [entry.overview.recorded?.version, nextVersion])
    )
      return true;
    const choice = await vscode.window.showWarningMessage(
      `${verb} ${model.name} v${nextVersion} on ${entry.overview.target.name}? This target serves the production version${model.aliases.production !== undefined ? ` (production → v${model.aliases.production})` : ''}.`,
      { modal: true },
      verb,
    );
    return choice === verb;
  }

  /** Runs one deploy-like action with progress and the outcome shown; undefined when refused or cancelled. */
  private async act<T>(
    targetName: string,
    title: string,
    work: (report: (line: string) => void) => Promise<T>,
  ): Promise<T | undefined> {
    if (this.busy) {
      void vscode.window.showInformationMessage(`A deployment of ${this.busy} is in progress; wait for it to finish.`);
      return undefined;
    }
    this.busy = targetName;
    this.changed.fire();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: false },
        (progress) =>
          work((line) => {
            this.logger.info(`${targetName}: ${line.trim()}`);
            progress.report({ message: line.trim() });
          }),
      );
    } finally {
      this.busy = undefined;
      this.refresh();
    }
  }

  private showOutcome(outcome: DeployOutcome, verb: string): void {
    if (outcome.ok) {
      void vscode.window.showInformationMessage(
        `${outcome.target} now serves v${outcome.version}${outcome.current?.healthUrl ? ` at ${outcome.current.healthUrl}` : ''}.`,
      );
      return;
    }
    this.logger.warn(`${verb} of v${outcome.version} to ${outcome.target} failed`, { reason: outcome.reason });
    const serving = outcome.current
      ? `v${outcome.current.version} keeps serving.`
      : `Nothing serves ${outcome.target}.`;
    const entry = this.findTarget(outcome.target);
    void vscode.window
      .showErrorMessage(
        `${verb} of v${outcome.version} to ${outcome.target} failed: ${outcome.reason ?? 'unknown reason'} ${serving}`,
        OPEN_LOG,
      )
      .then((choice) => entry && this.followUp(choice, entry, outcome.logFile));
  }

  async deploy(targetName: string, version: number): Promise<DeployOutcome | undefined> {
    if (!ensureTrusted('deploy a model')) return undefined;
    const entry = this.findTarget(targetName);
    if (!entry) return this.unknownTarget(targetName);
    if (!(await this.confirm(entry, version, 'Deploy'))) return undefined;
    const result = await this.act(
      targetName,
      `Deploying ${entry.overview.target.model} v${version} to ${targetName}`,
      (report) => this.services.deploy(entry.scope, targetName, version, report),
    );
    return this.settle(result, 'Deploy');
  }

  async rollback(targetName: string): Promise<DeployOutcome | undefined> {
    if (!ensureTrusted('roll back a deployment')) return undefined;
    const entry = this.findTarget(targetName);
    if (!entry) return this.unknownTarget(targetName);
    const back = entry.overview.rollbackVersion;
    if (back === undefined) {
      void vscode.window.showWarningMessage(
        `${targetName} has no earlier healthy version to return to; deploy a version with ML: Deploy Model….`,
      );
      return undefined;
    }
    if (!(await this.confirm(entry, back, 'Roll Back'))) return undefined;
    const result = await this.act(targetName, `Rolling ${targetName} back to v${back}`, (report) =>
      this.services.rollback(entry.scope, targetName, report),
    );
    return this.settle(result, 'Rollback');
  }

  async undeploy(targetName: string): Promise<string | undefined> {
    if (!ensureTrusted('stop a deployment')) return undefined;
    const entry = this.findTarget(targetName);
    if (!entry) return this.unknownTarget(targetName);
    const result = await this.act(targetName, `Stopping ${targetName}`, (report) =>
      this.services.undeploy(entry.scope, targetName, report),
    );
    if (!result) return undefined;
    if (!result.ok) void vscode.window.showErrorMessage(result.message);
    else void vscode.window.showInformationMessage(result.value);
    return result.ok ? result.value : undefined;
  }

  private settle(result: Outcome<DeployOutcome> | undefined, verb: string): DeployOutcome | undefined {
    if (!result) return undefined;
    if (!result.ok) {
      void vscode.window.showErrorMessage(result.message);
      return undefined;
    }
    this.showOutcome(result.value, verb);
    return result.value;
  }

  private unknownTarget(name: string): undefined {
    void vscode.window.showErrorMessage(`No deploy target '${name}': declare it under deploy: in mlc.yaml.`);
    return undefined;
  }

  dispose(): void {
    this.monitor.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
