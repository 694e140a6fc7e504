import * as vscode from 'vscode';
import { resolveDeclaredModel } from '../../engine/deploy/deployTargets';
import { isSafeName, type ModelVersionRecord } from '../../engine/registry/modelRegistry';
import type { RunSummary } from '../../engine/runs/model';
import { CommandId } from '../ids';
import { STAY_OPEN } from '../quickInputs';
import type { DeployPanels } from '../panels/deployPanel';
import type { WorkspaceState } from '../state/workspaceState';
import type { ModelTreeElement } from '../views/modelsTreeProvider';
import type { LifecycleController, TargetEntry } from './lifecycleController';
import type { LifecycleScope, LifecycleServices } from './lifecycleServices';
import { aliasesOf } from './lifecycleViewModels';

interface LifecycleCommandDependencies {
  readonly state: WorkspaceState;
  readonly services: LifecycleServices;
  readonly lifecycle: LifecycleController;
  readonly panels: DeployPanels;
}

const ENTER_ALIAS = 'Another alias…';

/** A target from a command argument (a Deployments view item or a name), else a quick pick. */
async function pickTarget(
  lifecycle: LifecycleController,
  argument: unknown,
  placeHolder: string,
  filter: (entry: TargetEntry) => boolean = () => true,
): Promise<TargetEntry | undefined> {
  const name = typeof argument === 'string' ? argument : (argument as TargetEntry | undefined)?.overview?.target.name;
  if (name !== undefined) return lifecycle.findTarget(name);
  const candidates = lifecycle.targets().filter(filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      lifecycle.targets().length === 0
        ? 'No deploy target: add a deploy: section to mlc.yaml (see examples/churn).'
        : 'No deploy target fits: none has an earlier healthy version, or none is deployed.',
    );
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((entry) => ({
      label: entry.overview.target.name,
      description: `${entry.overview.target.model}${entry.overview.recorded ? ` v${entry.overview.recorded.version}` : ' (not deployed)'}`,
      entry,
    })),
    { placeHolder, ...STAY_OPEN },
  );
  return picked?.entry;
}

/** A run for Register Model: the Runs view's selection, an id, or a quick pick of runs. */
async function pickRun(state: WorkspaceState, argument: unknown): Promise<RunSummary | undefined> {
  const runs = state.runs();
  if (typeof argument === 'string') return runs.find((run) => run.id === argument);
  if (argument && typeof argument === 'object' && 'id' in argument) return argument as RunSummary;
  const picked = await vscode.window.showQuickPick(
    runs
      .filter((run) => run.status === 'succeeded')
      .map((run) => ({ label: run.name || run.id, description: `${run.source} · ${run.status}`, detail: run.id, run })),
    { placeHolder: 'Register a model version from which run?', matchOnDetail: true, ...STAY_OPEN },
  );
  return picked?.run;
}

/** Register Model…, Promote…, Deploy Model…, Roll Back Deployment…, Undeploy, Show Deploy Panel. */
export function registerLifecycleCommands({
  state,
  services,
  lifecycle,
  panels,
}: LifecycleCommandDependencies): vscode.Disposable {
  const scopeOf = (path: string): LifecycleScope | undefined => {
    const root = state.rootOf(path);
    return lifecycle.scopes().find((scope) => scope.root === root) ?? lifecycle.scopes()[0];
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      CommandId.registerModel,
      async (argument?: unknown, modelName?: string): Promise<ModelVersionRecord | undefined> => {
        await state.whenIdle();
        const run = await pickRun(state, argument);
        if (!run) return undefined;
        const scope = scopeOf(run.location);
        if (!scope) return undefined;
        const declared = scope.pipelines.flatMap((pipeline) => pipeline.models).map((model) => model.name);
        const validate = (value: string) => {
          const found = resolveDeclaredModel(scope.pipelines, value.trim());
          return found.ok ? undefined : found.message;
        };
        const name =
          modelName ??
          (await vscode.window.showInputBox({
            title: `Register a model version from ${run.name || run.id}`,
            prompt: `The model (declared under models: in mlc.yaml${declared.length > 0 ? `: ${declared.join(', ')}` : ''})`,
            value: declared[0] ?? '',
            validateInput: validate,
            ...STAY_OPEN,
          }));
        if (name === undefined) return undefined;
        const problem = validate(name);
        if (problem) {
          void vscode.window.showErrorMessage(problem);
          return undefined;
        }
        const outcome = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Registering ${name.trim()}` },
          (progress) => services.register(scope, name.trim(), run, (line) => progress.report({ message: line.trim() })),
        );
        lifecycle.refresh();
        if (!outcome.ok) {
          void vscode.window.showErrorMessage(`Register ${name.trim()}: ${outcome.message}`);
          return undefined;
        }
        void vscode.window.showInformationMessage(
          `Registered ${outcome.value.model} v${outcome.value.version} (md5 ${outcome.value.md5}) from run ${run.id}.`,
        );
        return outcome.value;
      },
    ),
    vscode.commands.registerCommand(
      CommandId.promoteModel,
      async (element?: ModelTreeElement, aliasArgument?: string): Promise<string | undefined> => {
        if (element?.kind !== 'version') {
          void vscode.window.showInformationMessage('Promote a version from the Models view (right-click a version).');
          return undefined;
        }
        const { model, version, scope } = element;
        const current = aliasesOf(model, version.version);
        const known = [...new Set(['staging', 'production', ...Object.keys(model.aliases)])].sort();
        let alias = aliasArgument;
        if (alias === undefined) {
          const picked = await vscode.window.showQuickPick(
            [
              ...known.map((name) => ({
                label: name,
                description:
                  model.aliases[name] === undefined
                    ? 'not set'
                    : current.includes(name)
                      ? `already v${version.version}`
                      : `now v${model.aliases[name]}`,
              })),
              { label: ENTER_ALIAS, description: 'letters, digits, . _ -' },
            ],
            { placeHolder: `Point which alias at ${model.name} v${version.version}?`, ...STAY_OPEN },
          );
          if (!picked) return undefined;
          alias =
            picked.label === ENTER_ALIAS
              ? await vscode.window.showInputBox({
                  prompt: `An alias for ${model.name} v${version.version}`,
                  validateInput: (value) =>
                    isSafeName(value.trim()) ? undefined : "Use letters, digits, '.', '_' and '-'.",
                  ...STAY_OPEN,
                })
              : picked.label;
        }
        if (alias === undefined) return undefined;
        const outcome = await services.promote(scope, model.name, version.version, alias.trim());
        lifecycle.refresh();
        if (!outcome.ok) {
          void vscode.window.showErrorMessage(`Promote: ${outcome.message}`);
          return undefined;
        }
        const previous = outcome.value.previous;
        const message = `${model.name}@${alias.trim()} -> v${version.version}${previous !== undefined && previous !== version.version ? ` (was v${previous})` : ''}.`;
        void vscode.window.showInformationMessage(message);
        return message;
      },
    ),
    vscode.commands.registerCommand(CommandId.deploy, async (argument?: unknown, versionArgument?: number) => {
      await state.whenIdle();
      lifecycle.refresh();
      const entry = await pickTarget(lifecycle, argument, 'Deploy to which target?');
      if (!entry) return undefined;
      let version = versionArgument;
      if (version === undefined) {
        const model = lifecycle.modelOf(entry);
        if (model.versions.length === 0) {
          void vscode.window.showInformationMessage(
            `${model.name} has no registered version yet: register one from a run (ML: Register Model…).`,
          );
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          [...model.versions].reverse().map((record) => {
            const gates = lifecycle.previewGates(entry, record.version);
            const failed = gates.filter((gate) => !gate.passed);
            return {
              label: `v${record.version}`,
              description: [
                aliasesOf(model, record.version).join(', '),
                record.version === entry.overview.recorded?.version ? 'serving' : '',
                gates.length === 0 ? '' : failed.length === 0 ? 'passes its gates' : `fails ${failed[0]!.gate}`,
              ]
                .filter((part) => part !== '')
                .join(' · '),
              detail: `from run ${record.sourceRun} · ${record.createdAt}`,
              version: record.version,
            };
          }),
          { placeHolder: `Deploy which version of ${model.name} to ${entry.overview.target.name}?`, ...STAY_OPEN },
        );
        version = picked?.version;
      }
      return version === undefined ? undefined : lifecycle.deploy(entry.overview.target.name, version);
    }),
    vscode.commands.registerCommand(CommandId.rollback, async (argument?: unknown) => {
      await state.whenIdle();
      lifecycle.refresh();
      const entry = await pickTarget(
        lifecycle,
        argument,
        'Roll back which target?',
        (candidate) => candidate.overview.rollbackVersion !== undefined,
      );
      return entry ? lifecycle.rollback(entry.overview.target.name) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.undeploy, async (argument?: unknown) => {
      await state.whenIdle();
      lifecycle.refresh();
      const entry = await pickTarget(
        lifecycle,
        argument,
        'Stop which deployment?',
        (candidate) => candidate.overview.recorded !== undefined,
      );
      return entry ? lifecycle.undeploy(entry.overview.target.name) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.showDeployPanel, () => panels.show()),
  );
}
