// Runs the mocha integration suites (out/test/integration/index.js) inside code-server's Node
// extension host, as @vscode/test-electron does in desktop VS Code. The web workbench reads the
// `payload` URL parameter (extensionDevelopmentPath, extensionTestsPath, extensionEnvironment) when
// the server runs with the smoke-test driver; paths must be vscode-remote://<host:port>/ URIs, or
// the workbench looks for a browser-side extension host and never starts the tests. When run()
// settles, the workbench stops the extension host and calls window.codeAutomationExit(code).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';
import { repoRoot, screenshotsDir } from './toolchain.mjs';

const linePrefix = '[mlc-it] ';

/**
 * @param {object} options
 * @param {{ url: string, authority: string, workspaceTrust: string }} options.server from startCodeServer()
 * @param {string} options.folder the workspace folder to open
 * @param {'disabled' | 'restricted'} [options.trust] which suites run (restricted/ or the others)
 * @param {string} options.resultFile where index.js writes its JSON result
 * @param {string} [options.testsPath] default out/test/integration/index.js
 * @param {string} [options.grep] only tests whose full title matches
 * @param {string} [options.suite] only this suite file (`runPipeline.test.js`), else every suite of the trust
 * @param {number} [options.timeoutMs] default 5 minutes
 * @returns {Promise<{ passed: number, failed: number, skipped: number, exitCode: number | undefined, tests: object[], error?: string }>}
 */
export async function runIntegrationTests(options) {
  const { server, folder, resultFile, trust = 'disabled', grep, suite, timeoutMs = 300_000 } = options;
  const testsPath = options.testsPath ?? join(repoRoot, 'out/test/integration/index.js');
  if (!existsSync(testsPath)) throw new Error(`${testsPath} is missing: run \`npm run build\` first`);
  rmSync(resultFile, { force: true });
  const remote = (path) => `vscode-remote://${server.authority}${path}`;
  const environment = {
    MLC_TEST_RESULT_FILE: resultFile,
    MLC_TEST_TRUST: trust,
    MLC_REPO_ROOT: repoRoot,
    ...(grep ? { MLC_TEST_GREP: grep } : {}),
    ...(suite ? { MLC_TEST_SUITE: suite } : {}),
  };
  const payload = [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(testsPath)],
    ['extensionEnvironment', JSON.stringify(environment)],
  ];
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  const label = suite ? `integration-${trust}-${suite.replace(/\.test\.js$/, '')}` : `integration-${trust}`;
  const browser = await launchBrowser({ name: label });
  const { page } = browser;
  page.on('console', (message) => {
    const text = message.text();
    const at = text.indexOf(linePrefix);
    if (at >= 0) process.stdout.write(`  ${text.slice(at + linePrefix.length)}\n`);
  });
  let settle;
  const exited = new Promise((resolve) => (settle = resolve));
  // Exposed before navigation, so the workbench finds it when the tests end.
  await page.exposeFunction('codeAutomationExit', (code) => settle(code));
  let exitCode;
  let error;
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') error = `the extension host did not finish the tests within ${timeoutMs / 1000} s`;
    else exitCode = outcome;
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  if (error) await page.screenshot({ path: join(screenshotsDir, `${label}-failure.png`) }).catch(() => {});
  await browser.close();

  const result = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined;
  if (!result) {
    return {
      passed: 0,
      failed: 1,
      skipped: 0,
      exitCode,
      tests: [],
      error: error ?? `no result file ${resultFile} (see test-results/console/${label}.log)`,
    };
  }
  // Exit code and result file must agree; a run that passed nothing is a failure too.
  const failed = result.failed + (exitCode !== 0 && result.failed === 0 ? 1 : 0);
  return { passed: result.passed, failed, skipped: result.pending, exitCode, tests: result.tests, error };
}
