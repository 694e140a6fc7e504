// @vscode/test-cli configuration (`npx vscode-test`) for machines that can download desktop VS Code.
// It runs the same built suites as scripts/test-vscode.mjs (`npm run build` first): the bdd mocha
// files in out/test/integration/, in a trusted copy of examples/churn, and the Restricted Mode
// suites in out/test/integration/restricted/ in an untrusted copy. On this project's offline CI
// machines VS Code cannot be downloaded, so `npm test` runs the suites inside code-server instead
// (scripts/test-vscode.mjs); this file is not used there and has not been run there.
// @vscode/test-electron users can point `extensionTestsPath` at out/test/integration/index.js:
// its run() follows the same contract.
import { defineConfig } from '@vscode/test-cli';
import { workspaceCopy } from './test/support/vscode/workspaceCopy.mjs';

const mocha = { ui: 'bdd', timeout: 30_000, color: true };
// The version code-server 4.139.1 embeds, so both harnesses test against the same VS Code.
const version = '1.139.1';

export default defineConfig([
  {
    label: 'integration',
    version,
    files: 'out/test/integration/*.test.js',
    workspaceFolder: workspaceCopy('churn'),
    launchArgs: ['--disable-workspace-trust', '--disable-extensions'],
    mocha,
  },
  {
    label: 'restricted',
    version,
    files: 'out/test/integration/restricted/*.test.js',
    workspaceFolder: workspaceCopy('churn'),
    // A fresh profile does not trust the folder and, with no startup prompt, opens it in
    // Restricted Mode.
    launchArgs: ['--disable-extensions'],
    env: { MLC_TEST_TRUST: 'restricted' },
    mocha,
  },
]);
