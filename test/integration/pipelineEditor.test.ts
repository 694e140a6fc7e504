import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually } from './support/eventually';
import { api } from './support/activatedApi';

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (a copy of examples/churn)');
  return folder.uri.fsPath;
}

/** The position of the first occurrence of `text` in the document (plus `offset` characters). */
function positionOf(document: vscode.TextDocument, text: string, offset = 0): vscode.Position {
  const index = document.getText().indexOf(text);
  assert.ok(index >= 0, `"${text}" not found in ${document.uri.fsPath}`);
  return document.positionAt(index + offset);
}

const hoverText = (hovers: vscode.Hover[]) =>
  hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');

describe('Editor features in mlc.yaml', () => {
  let document: vscode.TextDocument;

  before(async () => {
    await api();
    document = await vscode.workspace.openTextDocument(vscode.Uri.file(join(workspaceRoot(), 'mlc.yaml')));
    await vscode.window.showTextDocument(document);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a Run CodeLens and the state over each stage', async () => {
    const lenses = await eventually(
      () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10),
      (found) => found.filter((lens) => lens.command?.command === 'mlc.runStage').length === 3,
    );
    const runLenses = lenses.filter((lens) => lens.command?.command === 'mlc.runStage');
    assert.deepEqual(
      runLenses.map((lens) => lens.command?.arguments?.[0]),
      ['prepare', 'train', 'evaluate'],
    );
    assert.ok(runLenses.every((lens) => lens.command?.title === '▶ Run stage'));
    assert.equal(runLenses[0]!.range.start.line, positionOf(document, '  prepare:').line);
    const stateTitles = lenses
      .filter((lens) => lens.command?.command === 'mlc.openStage')
      .map((lens) => lens.command?.title);
    assert.equal(stateTitles.length, 3);
    for (const title of stateTitles)
      assert.match(title ?? '', /^\$\([\w~-]+\) (up to date|changed|never run|frozen|failed|checking…)$/);
  });

  it('shows the stage state on hover over a stage name', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      positionOf(document, '  train:', 3),
    );
    const text = hoverText(hovers);
    assert.match(text, /\*\*train\*\*/);
    assert.match(text, /up to date|changed|never run|failed/);
  });

  it('goes to a dependency file from its path', async () => {
    const locations = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
      'vscode.executeDefinitionProvider',
      document.uri,
      positionOf(document, '- src/prepare.py', 6),
    );
    const targets = locations.map((location) => ('uri' in location ? location.uri : location.targetUri).fsPath);
    assert.deepEqual(targets, [join(workspaceRoot(), 'src/prepare.py')]);
  });

  it('completes param keys in a params list and inside ${}', async () => {
    const paramsItem = positionOf(document, '      - prepare.split', '      - prepare.'.length);
    const inParams = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      paramsItem,
    );
    const paramLabels = inParams.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(paramLabels.includes('prepare.split'), `got ${paramLabels.join(', ')}`);
    assert.ok(paramLabels.includes('train.lr'));

    const inTemplate = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      positionOf(document, '${train.lr}', '${train.'.length),
    );
    const templateLabels = inTemplate.items.map((item) =>
      typeof item.label === 'string' ? item.label : item.label.label,
    );
    assert.ok(templateLabels.includes('train.epochs'), `got ${templateLabels.join(', ')}`);
    assert.ok(templateLabels.includes('seed'));
  });
});

describe('Problems of pipeline files', () => {
  const brokenFolder = () => join(workspaceRoot(), 'broken-pipeline');

  before(async () => {
    await api();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(brokenFolder(), { recursive: true, force: true });
    // Leave the workspace as the next suite expects it: the deleted pipeline gone from the views.
    const exported = await api();
    await eventually(
      () => exported.pipelinesTree(),
      (items) => !items.some((item) => item.label.startsWith('broken-pipeline/')),
    );
  });

  it('reports a broken pipeline file in the Problems panel, located, and clears it when fixed', async () => {
    mkdirSync(brokenFolder(), { recursive: true });
    const file = join(brokenFolder(), 'mlc.yaml');
    writeFileSync(file, 'stages:\n  a:\n    cmd: echo a\n    depz: [x]\n');
    const uri = vscode.Uri.file(file);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const diagnostics = await eventually(
      () => vscode.languages.getDiagnostics(uri),
      (found) => found.length > 0,
    );
    const unknownKey = diagnostics.find((diagnostic) => diagnostic.range.start.line === 3);
    assert.ok(unknownKey, `no problem on line 4; got ${JSON.stringify(diagnostics)}`);
    assert.equal(unknownKey.source, 'mlc');
    assert.match(unknownKey.message, /deps/);

    // Unsaved edits count: fixing the key in the editor clears the problem before any save.
    await editor.edit((edit) => edit.replace(document.lineAt(3).range, '    deps: []'));
    await eventually(
      () => vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.range.start.line === 3),
      (found) => found.length === 0,
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
