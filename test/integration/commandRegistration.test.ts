import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'mlc-dev.mlc';

interface PackageJson {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    views: Record<string, Array<{ id: string }>>;
  };
  activationEvents: string[];
}

describe('mlc commands', () => {
  let packageJson: PackageJson;

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this host`);
    await extension.activate();
    packageJson = JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8')) as PackageJson;
  });

  it('registers every command contributed in package.json, and contributes every command it registers', async () => {
    const contributed = packageJson.contributes.commands.map((entry) => entry.command).sort();
    // VS Code adds `<view id>.focus`, `.open`, ... for each contributed view: those are not ours.
    const viewIds = Object.values(packageJson.contributes.views).flatMap((views) => views.map((view) => view.id));
    const isViewCommand = (id: string) => viewIds.some((viewId) => id.startsWith(`${viewId}.`));
    const registered = (await vscode.commands.getCommands(true))
      .filter((id) => id.startsWith('mlc.') && !isViewCommand(id))
      .sort();
    assert.deepEqual(registered, contributed);
  });

  it('puts every command in the ML category', () => {
    // The category is a %key% of package.nls.json, like every user-facing string of the manifest.
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const strings = JSON.parse(readFileSync(join(extension.extensionPath, 'package.nls.json'), 'utf8')) as Record<
      string,
      string
    >;
    for (const entry of packageJson.contributes.commands)
      assert.equal(strings[entry.category?.slice(1, -1) ?? ''], 'ML', entry.command);
  });

  it('never activates on every startup', () => {
    assert.ok(!packageJson.activationEvents.includes('*'));
    assert.ok(packageJson.activationEvents.includes('workspaceContains:**/mlc.yaml'));
  });
});
