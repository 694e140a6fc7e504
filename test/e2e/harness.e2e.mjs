// Proves the e2e harness on the churn example: the packaged extension is installed in a real VS Code
// workbench, the ML container is there, and the helpers reach into a webview's nested iframes
// (Markdown preview, a webview every VS Code has), and a Restricted Mode window can be trusted.
// Screenshots: test-results/screenshots/harness-*.png.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  activityBarItem,
  grantWorkspaceTrust,
  openFile,
  openWorkbench,
  runCommand,
  statusBar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;

before(async () => {
  folder = workspaceCopy('churn');
  writeFileSync(join(folder, 'NOTES.md'), '# Churn notes\n\nWritten by the e2e harness.\n');
  workbench = await openWorkbench(folder, { name: 'harness' });
});

after(async () => {
  await workbench?.close();
});

test('the workbench opens the example folder with the ML container in the activity bar', async () => {
  const { page } = workbench;
  await assert.doesNotReject(activityBarItem(page, 'ML').waitFor({ timeout: 10_000 }));
  await page
    .locator('.explorer-folders-view')
    .getByText('mlc.yaml')
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(() => {});
  assert.equal(await statusBar(page).getByText('Restricted Mode').count(), 0, 'trust is disabled, not restricted');
  const title = await page.title();
  assert.match(title, /churn/, `window title "${title}" names the folder`);
  await workbench.screenshot('workbench');
});

test('webviewFrame reads the content of a webview panel', async () => {
  const { page } = workbench;
  await openFile(page, 'NOTES.md');
  // The preview command is offered only once the editor's language is known to be Markdown.
  await statusBar(page).getByText('Markdown', { exact: true }).waitFor({ timeout: 30_000 });
  await runCommand(page, 'Markdown: Open Preview to the Side');
  const heading = webviewFrame(page).locator('h1');
  await heading.waitFor({ timeout: 30_000 });
  assert.equal((await heading.textContent())?.trim(), 'Churn notes');
  await workbench.screenshot('webview');
});

test('a Restricted Mode window shows the ML container and can be trusted from the UI', async () => {
  const restricted = await openWorkbench(workspaceCopy('churn'), { trust: 'restricted', name: 'harness-restricted' });
  try {
    const { page } = restricted;
    await assert.doesNotReject(activityBarItem(page, 'ML').waitFor({ timeout: 10_000 }));
    await restricted.screenshot('restricted');
    await grantWorkspaceTrust(page);
    assert.equal(await statusBar(page).getByText('Restricted Mode').count(), 0);
    await restricted.screenshot('trusted');
  } finally {
    await restricted.close();
  }
});
