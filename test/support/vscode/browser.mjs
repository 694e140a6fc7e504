// Debian's Chromium driven by playwright-core, with a fresh temporary profile per launch (workspace
// trust, layout and storage of one test never leak into the next). Playwright rejects
// --user-data-dir in launch() arguments, hence launchPersistentContext(). Profiles live in the test
// run's folder when there is one, so a run killed mid-test leaves nothing behind after the next run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, testResultsDir } from './toolchain.mjs';

/**
 * Launches Chromium. `consoleLines` collects the page's console and page errors; close() writes
 * them to test-results/console/<name>.log, closes the browser and removes the profile.
 * @param {{ name: string, headless?: boolean, viewport?: { width: number, height: number } }} options
 */
export async function launchBrowser({ name, headless = true, viewport = { width: 1400, height: 900 } }) {
  const profileRoot = process.env.MLC_VSCODE_RUN_DIR ?? tmpdir();
  mkdirSync(profileRoot, { recursive: true });
  const profileDir = mkdtempSync(join(profileRoot, 'chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  let closed = false;
  return {
    context,
    page,
    consoleLines,
    async close() {
      if (closed) return;
      closed = true;
      const consoleDir = join(testResultsDir, 'console');
      mkdirSync(consoleDir, { recursive: true });
      writeFileSync(join(consoleDir, `${name}.log`), consoleLines.join('\n') + '\n');
      await context.close().catch(() => {});
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
