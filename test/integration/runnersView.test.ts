import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TreeItemSnapshot } from '../../src/extension/extensionApi';
import { CommandId } from '../../src/extension/ids';
import { eventually } from './support/eventually';
import { api } from './support/activatedApi';

/**
 * The Pipelines view's Runners group in the real VS Code: a pipeline declaring an ssh runner on a
 * port nobody listens on is listed, not checked, until ML: Check Runners runs the real ssh client,
 * which says why it cannot reach it.
 */
describe('Runners in the Pipelines view', () => {
  it('lists a declared ssh runner and shows its check failing with ssh’s reason', async () => {
    const exported = await api();
    const folder = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'remote');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'mlc.yaml'),
      'stages:\n  hello:\n    cmd: echo hello\n    runner: box\nrunners:\n' +
        '  box:\n    type: ssh\n    host: 127.0.0.1\n    port: 1\n    connect_timeout: 5\n',
    );
    const runnerOf = (tree: TreeItemSnapshot[]) =>
      tree.find((item) => item.label === 'Runners')?.children.find((child) => child.label === 'box');
    const listed = runnerOf(
      await eventually(
        () => exported.pipelinesTree(),
        (tree) => runnerOf(tree) !== undefined,
      ),
    );
    assert.equal(listed?.description, 'ssh · 127.0.0.1:1 · not checked');
    assert.equal(listed?.contextValue, 'mlcRunner');

    await vscode.commands.executeCommand(CommandId.checkRunners);
    const checked = runnerOf(
      await eventually(
        () => exported.pipelinesTree(),
        (tree) => runnerOf(tree)?.description.endsWith('· unreachable') ?? false,
        60_000,
      ),
    )!;
    assert.equal(checked.icon, 'error');
    assert.match(checked.tooltip, /Unreachable at .*127\.0\.0\.1:1/);
    assert.match(checked.tooltip, /Connection refused/);
  });
});
