// Proves the Restricted Mode pass of the harness: the workspace is not trusted, and the mlc
// extension still loads and activates (it declares limited support for untrusted workspaces).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('integration harness (Restricted Mode)', () => {
  it('opens the workspace untrusted', () => {
    assert.ok(vscode.workspace.workspaceFolders?.[0], 'no workspace folder is open');
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('activates the mlc extension', async () => {
    const extension = vscode.extensions.getExtension('mlc-dev.mlc');
    assert.ok(extension, 'mlc-dev.mlc is not loaded');
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});
