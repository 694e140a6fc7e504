import * as vscode from 'vscode';
import { TASK_TYPE } from '../ids';
import type { WorkspaceState } from '../state/workspaceState';
import type { RunController } from './runController';
import { createRunPseudoterminal } from './runPseudoterminal';

/** tasks.json form: `{ "type": "mlc", "stage": "train", "force": false }`. */
interface StageTaskDefinition extends vscode.TaskDefinition {
  readonly type: typeof TASK_TYPE;
  readonly stage: string;
  readonly pipeline?: string;
  readonly force?: boolean;
}

const isStageTaskDefinition = (definition: vscode.TaskDefinition): definition is StageTaskDefinition =>
  definition.type === TASK_TYPE && typeof definition.stage === 'string';

/** A terminal that only explains why nothing runs, for tasks started in Restricted Mode. */
function restrictedPseudoterminal(stage: string): vscode.Pseudoterminal {
  const writeEmitter = new vscode.EventEmitter<string>();
  const closeEmitter = new vscode.EventEmitter<number | void>();
  return {
    onDidWrite: writeEmitter.event,
    onDidClose: closeEmitter.event,
    open() {
      writeEmitter.fire(
        `mlc did not run stage ${stage}: this workspace is in Restricted Mode, and running a stage executes its command.\r\nTrust the workspace (Manage Workspace Trust) to run stages.\r\n`,
      );
      closeEmitter.fire(1);
    },
    close() {},
  };
}

/** Every stage as a task `mlc: <stage>` ("Run Task"), running through the same engine as the commands. */
export class StageTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly state: WorkspaceState,
    private readonly controller: RunController,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    await this.state.whenIdle();
    return this.state.stages().flatMap((info) => {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(info.root));
      if (!folder) return [];
      const pipeline = info.entry.stage.pipelineFile.slice(info.root.length + 1);
      return [this.taskFor({ type: TASK_TYPE, stage: info.entry.address, pipeline }, folder)];
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (!isStageTaskDefinition(task.definition)) return undefined;
    const scope = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    return scope ? this.taskFor(task.definition, scope) : undefined;
  }

  private taskFor(definition: StageTaskDefinition, folder: vscode.WorkspaceFolder): vscode.Task {
    const execution = new vscode.CustomExecution(async () => {
      if (!vscode.workspace.isTrusted) return restrictedPseudoterminal(definition.stage);
      const request = this.state.runRequest(folder.uri.fsPath, [definition.stage], definition.force === true);
      return createRunPseudoterminal(this.controller, request, { closeWhenDone: true });
    });
    const task = new vscode.Task(definition, folder, definition.stage, TASK_TYPE, execution, []);
    task.detail = definition.pipeline ? `Run stage ${definition.stage} of ${definition.pipeline}` : undefined;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated };
    return task;
  }
}
