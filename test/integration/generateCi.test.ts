import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ciWorkflow } from '../../src/engine/ci/ciWorkflow';
import { api } from './support/activatedApi';

describe('ML: Generate CI Workflow…', function () {
  this.timeout(60_000);

  it('writes the same GitLab pipeline as mlc ci init gitlab and opens it', async () => {
    await api();
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const file = join(root, '.gitlab-ci.yml');
    assert.ok(!existsSync(file), 'the example has no .gitlab-ci.yml');
    try {
      const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>('mlc.generateCi', 'gitlab');
      assert.ok(editor, 'no editor was opened');
      assert.equal(editor.document.uri.fsPath, file);
      // The churn example declares one deploy target, `local`: gated on every build, deployed from main.
      assert.equal(readFileSync(file, 'utf8'), ciWorkflow('gitlab', { deployTargets: ['local'], branch: 'main' }).text);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(file, { force: true });
    }
  });
});
