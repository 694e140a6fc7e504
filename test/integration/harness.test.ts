// Proves the harness: these tests run inside a real VS Code extension host (code-server's here,
// desktop VS Code's under @vscode/test-electron), with the example workspace open and the mlc
// extension loaded from this repository.
import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as vscode from 'vscode';

const extensionId = 'mlc-dev.mlc';
/** out/test/integration/ -> the repository, which is the extension under development. */
const repoRoot = resolve(__dirname, '../../..');

describe('integration harness (trusted workspace)', () => {
  it('runs inside a real VS Code extension host', () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    assert.equal(typeof vscode.window.createWebviewPanel, 'function');
  });

  it('opens a workspace folder holding the example pipeline', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const pipeline = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, 'mlc.yaml'));
    assert.equal(pipeline.type, vscode.FileType.File);
  });

  it('loads the mlc extension from this repository and activates it', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not loaded`);
    assert.equal(extension.extensionUri.fsPath, repoRoot);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('trusts the workspace', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });
});
