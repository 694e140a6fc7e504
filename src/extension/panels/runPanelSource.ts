import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import type { RunAnnotation } from '../../engine/runAnnotations/runAnnotations';
import type { RunSummary } from '../../engine/runs/model';
import type { RunRow } from '../../protocol/runRow';
import type { EngineServices } from '../engineServices';
import { readSettings } from '../settings';
import { toRunRow } from './runRows';

export const RESTRICTED_READ_ONLY = 'Restricted Mode: mlc changes no file until you trust this workspace.';

/** No cap: the Run History panel lists every run (the Runs view keeps `mlc.runs.maxRuns`). */
const ALL_RUNS = Number.MAX_SAFE_INTEGER;

export interface ListedRun {
  readonly root: string;
  readonly run: RunSummary;
  readonly row: RunRow;
}

/**
 * What the panels read, per workspace folder: every run from the run index worker with its
 * annotation, one run in full, and the annotation writes. It asks the engine services; it parses
 * nothing itself.
 */
export class RunPanelSource {
  private listed = new Map<string, ListedRun>();

  constructor(
    private readonly engine: EngineServices,
    private readonly logger: Logger,
  ) {}

  roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === 'file')
      .map((folder) => folder.uri.fsPath);
  }

  /** Every run of every folder, newest first. */
  async listRuns(): Promise<ListedRun[]> {
    const perRoot = await Promise.all(
      this.roots().map(async (root) => {
        const ignore = readSettings(vscode.Uri.file(root)).ignore;
        const [runs, annotations] = [await this.engine.listRuns(root, ALL_RUNS, ignore), this.annotations(root)];
        return runs.map((run) => ({ root, run, row: toRunRow(run, annotations.get(run.id)) }));
      }),
    );
    const all = perRoot.flat().sort((left, right) => (right.run.startedAt ?? 0) - (left.run.startedAt ?? 0));
    this.listed = new Map(all.map((entry) => [entry.run.id, entry]));
    return all;
  }

  /** A run from the latest listing (listing first when it is not known yet). */
  async find(runId: string): Promise<ListedRun | undefined> {
    if (!this.listed.has(runId)) await this.listRuns();
    return this.listed.get(runId);
  }

  async runDetails(runId: string) {
    const listed = await this.find(runId);
    if (!listed) return { listed: undefined, details: undefined };
    const ignore = readSettings(vscode.Uri.file(listed.root)).ignore;
    return { listed, details: await this.engine.runDetails(listed.root, runId, ignore) };
  }

  annotations(root: string): ReadonlyMap<string, RunAnnotation> {
    const parsed = this.engine.readRunAnnotations(root);
    for (const problem of parsed.problems) this.logger.warn(problem.message, { code: problem.code });
    return parsed.value;
  }

  /** Saves an annotation change; tells the user when the file cannot be written. */
  async annotate(runId: string, change: Partial<RunAnnotation>): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode is read-only, annotations included (they are files in the workspace).
      void vscode.window.showInformationMessage(RESTRICTED_READ_ONLY);
      return false;
    }
    const listed = await this.find(runId);
    if (!listed) return false;
    const saved = this.engine.updateRunAnnotation(listed.root, runId, change);
    const problem = saved.problems[0];
    if (problem) void vscode.window.showErrorMessage(problem.message);
    return problem === undefined;
  }
}
