// Helpers for e2e specs (test/e2e/*.e2e.mjs): open the real workbench of the code-server that
// scripts/test-vscode.mjs started, find its parts, run commands, read webviews, take screenshots.
// Specs run under `node --test`; the servers come in through MLC_VSCODE_SERVERS.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { launchBrowser } from './browser.mjs';
import { screenshotsDir } from './toolchain.mjs';

/** @typedef {'disabled' | 'restricted'} TrustMode */

let opened = 0;

/** The servers of this test run, by trust mode ({ disabled: {url}, restricted: {url} }). */
export function testServers() {
  const raw = process.env.MLC_VSCODE_SERVERS;
  if (!raw) {
    throw new Error(
      'MLC_VSCODE_SERVERS is not set: run e2e specs through `node scripts/test-vscode.mjs [test/e2e/x.e2e.mjs]`, ' +
        'which starts code-server with the packaged extension installed',
    );
  }
  return JSON.parse(raw);
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The status bar, the side bar and the activity bar (Playwright locators). */
export const statusBar = (page) => page.locator('#workbench\\.parts\\.statusbar');
export const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
export const activityBarItem = (page, title) =>
  page
    .locator('.activitybar .action-item')
    .filter({ has: page.locator(`a[aria-label^="${title}"]`) })
    .or(page.locator(`.activitybar li.action-item[aria-label^="${title}"]`))
    .first();

/**
 * Opens `folder` in a fresh Chromium window on the test code-server and waits for the workbench.
 * @param {string} folder absolute path (use workspaceCopy('churn') for a writable copy of an example)
 * @param {object} [options]
 * @param {TrustMode} [options.trust] 'disabled' (default): workspace trust is off, everything runs;
 *   'restricted': trust is on and the folder opens in Restricted Mode (no prompt); the status bar
 *   shows "Restricted Mode", and only extensions declaring untrustedWorkspaces support are enabled
 * @param {string} [options.name] prefix of screenshots and of the console log (default: folder name)
 * @param {string | false} [options.waitForActivityBar] an activity-bar title to wait for (default 'ML');
 *   false to wait for the workbench only
 * @param {number} [options.timeoutMs] how long the workbench may take (default 90 s)
 */
export async function openWorkbench(folder, options = {}) {
  const { trust = 'disabled', waitForActivityBar = 'ML', timeoutMs = 90_000 } = options;
  const server = testServers()[trust];
  if (!server) throw new Error(`no test server for trust mode '${trust}' (have: ${Object.keys(testServers())})`);
  const name = options.name ?? `${basename(folder)}-${trust}-${++opened}`;
  const browser = await launchBrowser({ name });
  const { page } = browser;
  let shots = 0;
  const workbench = {
    ...browser,
    server,
    name,
    /** Saves test-results/screenshots/<name>-<n>-<label>.png and returns its path. */
    async screenshot(label) {
      mkdirSync(screenshotsDir, { recursive: true });
      const path = join(screenshotsDir, `${name}-${String(++shots).padStart(2, '0')}-${label}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
  try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`, {
      waitUntil: 'domcontentloaded',
      timeout: timeoutMs,
    });
    await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await statusBar(page).waitFor({ timeout: timeoutMs });
    if (trust === 'restricted')
      await statusBar(page).getByText('Restricted Mode').first().waitFor({ timeout: timeoutMs });
    if (waitForActivityBar) await activityBarItem(page, waitForActivityBar).waitFor({ timeout: timeoutMs });
  } catch (error) {
    await workbench.screenshot('open-failed').catch(() => {});
    await browser.close();
    throw error;
  }
  return workbench;
}

/** Clicks an activity-bar container (default the ML container) and returns the side bar. */
export async function openContainer(page, title = 'ML') {
  const item = activityBarItem(page, title);
  const isOpen = await item.evaluate((element) => element.classList.contains('checked')).catch(() => false);
  if (!isOpen) await item.click();
  await sidebar(page).waitFor();
  return sidebar(page);
}

/**
 * Opens the command palette and returns its input. A key press can be swallowed while focus sits
 * in a modal editor (the workspace trust editor) or while the workbench is still settling, so the
 * palette is asked for again, alternating F1 and Ctrl+Shift+P, until it shows or time runs out.
 */
async function openCommandPalette(page, timeoutMs) {
  const input = page.locator('.quick-input-widget input');
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press(attempt % 2 === 0 ? 'F1' : 'Control+Shift+P');
    try {
      await input.waitFor({ timeout: Math.min(3_000, Math.max(1, deadline - Date.now())) });
      return input;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
}

/**
 * Runs a command from the command palette by its full label as the palette shows it
 * ('ML: Run Pipeline'), picking the row whose label matches exactly.
 */
export async function runCommand(page, label, { timeoutMs = 30_000 } = {}) {
  const input = await openCommandPalette(page, timeoutMs);
  await input.fill(`>${label}`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
  try {
    await row.waitFor({ timeout: timeoutMs });
  } catch (error) {
    // Say what the palette offered instead: usually a `when` clause that is false right now.
    const offered = await page.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
    await page.keyboard.press('Escape');
    throw new Error(
      `command palette has no '${label}' (it offered: ${offered.join(' | ') || 'nothing'}): ${error.message}`,
    );
  }
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
}

/**
 * Accepts the open quick input (a quick pick's active row, an input box's value) with Enter, until
 * `accepted(timeoutMs)` resolves. The Enter goes to the quick input's own input element, focused
 * first: a plain keyboard Enter goes wherever the focus is, and under load a webview that had the
 * focus before the command (the Deploy panel) can take it back after the quick input opened, so the
 * Enter went to the panel and the command never went on (CI, twice). A person who sees the box still
 * open presses Enter again; so does this, while `stillOpen` is visible, a bounded number of times
 * (a quick input resolves once, so a second Enter never does the step twice).
 * @param {import('playwright-core').Page} page
 * @param {{ accepted: (timeoutMs: number) => Promise<unknown>, stillOpen: import('playwright-core').Locator,
 *   attempts?: number, timeoutMs?: number }} options
 */
export async function acceptQuickInput(page, { accepted, stillOpen, attempts = 3, timeoutMs = 20_000 }) {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await input.press('Enter', { timeout: timeoutMs });
    const error = await accepted(timeoutMs).then(
      () => undefined,
      (failure) => failure,
    );
    if (error === undefined) return;
    const open = await stillOpen.isVisible();
    if (attempt < attempts && open) {
      console.log(`acceptQuickInput: still open after Enter ${attempt} (${error.message.split('\n')[0]}); Enter again`);
      continue;
    }
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return element ? `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}` : 'nothing';
    });
    throw new Error(
      `the quick input was not accepted after ${attempt} Enter(s) (still open: ${open}, focus on: ${focused}): ${error.message}`,
      { cause: error },
    );
  }
}

/**
 * Right-clicks `row` and picks `item` from its context menu, until `outcome` (a locator) shows.
 * A tree view that refreshes between the right-click and the menu (a watcher event after the
 * previous step) can close the menu; a person simply tries again, and so does this, a bounded
 * number of times.
 */
export async function runContextMenuItem(page, row, item, outcome, { attempts = 3, timeoutMs = 10_000 } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      await row.click({ button: 'right' });
      const menuItem = page.getByRole('menuitem', { name: item }).first();
      await menuItem.waitFor({ timeout: timeoutMs });
      // The workbench's menu ignores a mouse-up that comes right after it opened (the right-click's
      // own), so a quick click can go nowhere: hovering focuses the item, Enter runs it.
      await menuItem.hover();
      await page.keyboard.press('Enter');
      await outcome.waitFor({ timeout: timeoutMs });
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * A notification whose text matches `message`: its toast, or, when the workbench keeps toasts
 * back (a terminal has focus, another toast is up), its entry in the notification center behind
 * the bell. Resolves with the locator once it is visible.
 */
export async function findNotification(page, message, { timeoutMs = 15_000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: message }).first();
  const shown = await toast.waitFor({ timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  if (!shown) {
    await page
      .locator('.statusbar-item', { has: page.locator('[class*="codicon-bell"]') })
      .first()
      .click();
  }
  const notification = page
    .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item')
    .filter({ hasText: message })
    .first();
  await notification.waitFor({ timeout: timeoutMs });
  return notification;
}

/**
 * Trusts the open folder from Restricted Mode, as a person does: Manage Workspace Trust, then
 * "Trust", then closes the trust editor. Resolves once the status bar no longer shows "Restricted
 * Mode". The decision lives in the browser profile, so the next openWorkbench() starts restricted.
 */
export async function grantWorkspaceTrust(page, { timeoutMs = 30_000 } = {}) {
  await runCommand(page, 'Workspaces: Manage Workspace Trust', { timeoutMs });
  const trustButton = page.locator('.workspace-trust-editor').getByRole('button', { name: 'Trust', exact: true });
  await trustButton.first().click({ timeout: timeoutMs });
  await statusBar(page).getByText('Restricted Mode').waitFor({ state: 'detached', timeout: timeoutMs });
  // The trust editor opens as a modal over the workbench; close it so the test can go on.
  await runCommand(page, 'View: Close Editor', { timeoutMs });
  await page.locator('.workspace-trust-editor').waitFor({ state: 'detached', timeout: timeoutMs });
}

/** Opens a workspace file by its relative path through Quick Open. */
export async function openFile(page, relativePath, { timeoutMs = 30_000 } = {}) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: timeoutMs });
  await input.fill(relativePath);
  const fileName = relativePath.split('/').at(-1);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: fileName })
    .first()
    .waitFor({ timeout: timeoutMs });
  await input.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: fileName }).first().waitFor({ timeout: timeoutMs });
}

/**
 * The content frame of the visible webview (a panel or a view) that was created last. A webview is
 * two nested iframes: the outer `iframe.webview` that the workbench owns (it lives in an overlay,
 * not inside the editor, and carries no title), and `#active-frame` holding the extension's HTML.
 * With several webviews, make the wanted one visible first (click its tab), then call this.
 * @param {import('playwright-core').Page} page
 * @returns {import('playwright-core').FrameLocator}
 */
export function webviewFrame(page) {
  return page
    .locator('iframe.webview.ready')
    .filter({ visible: true })
    .last()
    .contentFrame()
    .locator('iframe#active-frame')
    .contentFrame();
}

/**
 * Picks a colour theme by its name in Preferences: Color Theme ('Dark High Contrast'). The theme
 * picker is a second quick pick, which runCommand (waiting for the palette to close) cannot drive.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function selectColourTheme(page, name) {
  const input = page.locator('.quick-input-widget input');
  // The palette can close again as it opens (seen once in a full run on a slow machine: the input
  // went inert, then hidden, while being filled); a person opens it again, and so does this.
  for (let attempt = 1; ; attempt++) {
    try {
      await openCommandPalette(page, 30_000);
      await input.fill('>Preferences: Color Theme', { timeout: 10_000 });
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' })
        .first()
        .click({ timeout: 10_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

/**
 * For e2e specs: `const shotOnFailure = screenshotOnFailure(() => workbench);` then
 * `it('...', shotOnFailure('label', async () => {...}))` saves a screenshot named after the
 * failing step, then fails as before.
 */
export function screenshotOnFailure(workbenchOf) {
  return (label, body) => async () => {
    try {
      await body();
    } catch (error) {
      await workbenchOf()
        ?.screenshot(`failed-${label}`)
        .catch(() => {});
      throw error;
    }
  };
}
