import * as vscode from 'vscode';
import { CI_PROVIDERS, type CiProvider } from '../engine/ci/ciWorkflow';
import type { EngineServices } from './engineServices';
import { CommandId } from './ids';
import { ensureTrusted } from './workspaceTrust';

const CI_LABELS: Record<CiProvider, { readonly label: string; readonly detail: string }> = {
  github: { label: 'GitHub Actions', detail: '.github/workflows/mlc.yml' },
  gitlab: { label: 'GitLab CI', detail: '.gitlab-ci.yml' },
  jenkins: { label: 'Jenkins', detail: 'Jenkinsfile' },
};

const REPLACE = 'Replace';

/** The workspace root of the folder to set up: the only one, or the one picked. */
async function pickRoot(engine: EngineServices, placeHolder: string): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Open a folder first: mlc sets up the folder open in VS Code.');
    return undefined;
  }
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder });
  return folder ? engine.workspaceRootOf(folder.uri.fsPath) : undefined;
}

/**
 * Setting a workspace up: ML: Generate CI Workflow… (`mlc ci init`) and ML: Create Pipeline
 * (`mlc init`), through the same engine code as the CLI; both write files, so both need Workspace
 * Trust. Each returns the editor it opened (or undefined), for tests. `provider` skips the quick
 * pick (a walkthrough link or a test passes it).
 */
export function registerSetupCommands(engine: EngineServices): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(CommandId.generateCi, async (provider?: CiProvider) => {
      if (!ensureTrusted('write a CI workflow')) return undefined;
      const chosen =
        provider && CI_PROVIDERS.includes(provider)
          ? provider
          : (
              await vscode.window.showQuickPick(
                CI_PROVIDERS.map((id) => ({ ...CI_LABELS[id], id })),
                { placeHolder: 'Which CI runs the pipeline, posts the report and deploys?' },
              )
            )?.id;
      if (!chosen) return undefined;
      const root = await pickRoot(engine, 'Write the workflow for which folder?');
      if (!root) return undefined;
      let result = await engine.writeCiWorkflow(root, chosen, false);
      if (!result.written) {
        const answer = await vscode.window.showWarningMessage(
          `${result.relativePath} exists. Replace it with the mlc workflow?`,
          { modal: true, detail: 'Your edits to it would be lost; git keeps the committed version.' },
          REPLACE,
        );
        if (answer !== REPLACE) return vscode.window.showTextDocument(vscode.Uri.file(result.path));
        result = await engine.writeCiWorkflow(root, chosen, true);
      }
      const targets = result.deployTargets;
      void vscode.window.showInformationMessage(
        `Wrote ${result.relativePath}: runs the pipeline and posts the report${targets.length > 0 ? `; gates and deploys ${targets.join(', ')} from main` : ''}. Set MLC_PACKAGE in the CI settings to where mlc is installed from.`,
      );
      return vscode.window.showTextDocument(vscode.Uri.file(result.path));
    }),
    vscode.commands.registerCommand(CommandId.createPipeline, async () => {
      if (!ensureTrusted('create a pipeline')) return undefined;
      const root = await pickRoot(engine, 'Create the pipeline in which folder?');
      if (!root) return undefined;
      const plan = await engine.scaffoldPipeline(root);
      if (plan.kind === 'pipelineExists') {
        void vscode.window.showInformationMessage(
          `${plan.file} is already here: mlc reads it as it is (see the Pipelines view). Nothing was written.`,
        );
        return vscode.window.showTextDocument(vscode.Uri.file(`${root}/${plan.file}`));
      }
      const written = await engine.writeScaffold(root, plan.files);
      void vscode.window.showInformationMessage(
        plan.scripts.length > 0
          ? `Wrote mlc.yaml with a stage for each of ${plan.scripts.join(', ')}. Add the files each stage writes under outs:, then run it.`
          : `Wrote ${written.join(', ')}: a starter pipeline. Run it with ML: Run Pipeline and watch its loss in the charts.`,
      );
      return vscode.window.showTextDocument(vscode.Uri.file(`${root}/mlc.yaml`));
    }),
  );
}
