// The real-VS-Code stage of `npm test`: builds, packages the .vsix, starts code-server twice with
// it installed (workspace trust disabled, and trust on = Restricted Mode), runs the mocha
// integration suites inside the extension host, runs every test/e2e/*.e2e.mjs spec in Chromium
// with `node --test`, and stops the servers (also on failure and Ctrl-C). Prints one line
// "vscode: N passed, N failed, N skipped" over both kinds and exits non-zero when anything failed or could not start:
// a missing tool is a failure, never a skip (install the tools with `bash scripts/setup.sh`).
//   node scripts/test-vscode.mjs [--no-build] [--skip-integration] [--skip-e2e] [--grep TEXT] [--suite FILE] [SPEC...]
//   SPEC       e2e spec files to run instead of all of test/e2e/*.e2e.mjs
//   --grep     only integration tests whose full title contains TEXT (a regular expression)
//   --suite    only the integration suite FILE (`runPipeline.test.js`); each suite runs in a window
//              of its own on a fresh copy of examples/churn
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createRunDir,
  installExtension,
  startCodeServer,
  stopAllCodeServers,
} from '../test/support/vscode/codeServer.mjs';
import { runIntegrationTests } from '../test/support/vscode/runIntegrationTests.mjs';
import { summaryLine } from './test-counts.mjs';
import { missingTools, repoRoot, testResultsDir } from '../test/support/vscode/toolchain.mjs';
import { workspaceCopy } from '../test/support/vscode/workspaceCopy.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-build': { type: 'boolean' },
    'skip-integration': { type: 'boolean' },
    'skip-e2e': { type: 'boolean' },
    grep: { type: 'string' },
    suite: { type: 'string' },
  },
});

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const say = (line) => process.stdout.write(`[test-vscode ${seconds(started)}] ${line}\n`);
const tally = { integration: { passed: 0, failed: 0, skipped: 0 }, e2e: { passed: 0, failed: 0, skipped: 0 } };
const problems = [];

function finish() {
  const passed = tally.integration.passed + tally.e2e.passed;
  const failed =
    tally.integration.failed +
    tally.e2e.failed +
    (problems.length > 0 && tally.integration.failed + tally.e2e.failed === 0 ? problems.length : 0);
  const skipped = tally.integration.skipped + tally.e2e.skipped;
  for (const problem of problems) say(`FAILED: ${problem}`);
  say(
    `integration ${tally.integration.passed} passed, ${tally.integration.failed} failed; ` +
      `e2e ${tally.e2e.passed} passed, ${tally.e2e.failed} failed; screenshots in ${relative(repoRoot, join(testResultsDir, 'screenshots'))}/`,
  );
  process.stdout.write(`${summaryLine('vscode', { passed, failed, skipped })}\n`);
  process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
}

function runSync(title, command, args) {
  const since = Date.now();
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    problems.push(`${title} failed (exit ${result.status ?? result.signal})`);
    finish();
  }
  say(`${title} in ${seconds(since)}`);
}

/** Runs the e2e specs under node --test; counts come from a TAP copy of the report. */
function runE2e(specs, environment, tapFile) {
  return new Promise((resolve) => {
    const args = [
      '--test',
      '--test-concurrency=1',
      '--test-timeout=300000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...specs,
    ];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...environment },
    });
    // Ctrl-C reaches the child from the terminal; a signal sent to this process alone must too.
    const forward = (signal) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('close', (code) => {
      const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
      const count = (name) => Number(new RegExp(`^# ${name} (\\d+)`, 'm').exec(tap)?.[1] ?? 0);
      resolve({
        code: code ?? 1,
        passed: count('pass'),
        failed: count('fail') + count('cancelled'),
        skipped: count('skipped') + count('todo'),
      });
    });
  });
}

const missing = missingTools();
if (missing.length > 0) {
  problems.push(`missing ${missing.join(', ')}: run \`bash scripts/setup.sh\` (as root on a fresh machine)`);
  finish();
}
const specs =
  positionals.length > 0
    ? positionals
    : readdirSync(join(repoRoot, 'test/e2e'))
        .filter((name) => name.endsWith('.e2e.mjs'))
        .sort()
        .map((name) => join('test/e2e', name));

// CI starts from empty artifact folders. On a shared working tree another run may be writing there
// at the same moment, so locally screenshots are only overwritten (their names are stable).
if (process.env.CI) {
  for (const folder of ['screenshots', 'console'])
    rmSync(join(testResultsDir, folder), { recursive: true, force: true });
}
mkdirSync(join(testResultsDir, 'screenshots'), { recursive: true });

if (!values['no-build']) runSync('build', process.execPath, ['scripts/build.mjs']);
const runDir = await createRunDir('test');
// Chromium profiles and workspace copies go into the run folder (also for the e2e child process).
process.env.MLC_VSCODE_RUN_DIR = runDir;
const vsix = join(runDir, 'mlc-test.vsix');
runSync('package', process.execPath, ['scripts/package.mjs', '--no-build', '--quiet', '--out', vsix]);

try {
  let since = Date.now();
  const installed = installExtension(runDir, vsix);
  say(`installed ${installed.join(', ')} in ${seconds(since)}`);
  since = Date.now();
  // A leaked server (this process killed with SIGKILL) exits by itself after 15 idle minutes.
  const common = { runDir, idleTimeoutSeconds: 900 };
  const [trusted, restricted] = await Promise.all([
    startCodeServer({ ...common, name: 'trusted', workspaceTrust: 'disabled' }),
    startCodeServer({ ...common, name: 'restricted', workspaceTrust: 'enabled', port: 8190 }),
  ]);
  say(`code-server up in ${seconds(since)}: ${trusted.url} (trust disabled), ${restricted.url} (Restricted Mode)`);

  if (!values['skip-integration']) {
    const passes = [{ trust: 'disabled', server: trusted }];
    const restrictedSuites = join(repoRoot, 'out/test/integration/restricted');
    if (existsSync(restrictedSuites) && readdirSync(restrictedSuites).some((name) => name.endsWith('.test.js'))) {
      passes.push({ trust: 'restricted', server: restricted });
    }
    for (const { trust, server } of passes) {
      // One window per suite, each on its own fresh copy of the workspace: a suite never depends
      // on what another left (runs, edited files), whatever the order.
      const suitesDir = trust === 'restricted' ? restrictedSuites : join(repoRoot, 'out/test/integration');
      const suites = readdirSync(suitesDir)
        .filter((name) => name.endsWith('.test.js') && (values.suite === undefined || name === values.suite))
        .sort();
      for (const suite of suites) {
        since = Date.now();
        say(`integration suite ${suite} (trust ${trust}) in the extension host of ${server.url}`);
        const result = await runIntegrationTests({
          server,
          trust,
          suite,
          folder: workspaceCopy('churn', { runDir }),
          resultFile: join(runDir, `integration-${trust}-${suite.replace(/\.test\.js$/, '')}.json`),
          grep: values.grep,
        });
        tally.integration.passed += result.passed;
        tally.integration.failed += result.failed;
        tally.integration.skipped += result.skipped;
        if (result.error) problems.push(`integration ${suite} (trust ${trust}): ${result.error}`);
        say(
          `integration ${suite} (trust ${trust}): ${result.passed} passed, ${result.failed} failed in ${seconds(since)}`,
        );
      }
    }
    if ((values.grep || values.suite) && tally.integration.passed + tally.integration.failed === 0) {
      problems.push(`no integration test matched --grep ${values.grep ?? ''} --suite ${values.suite ?? ''}`);
      tally.integration.failed++;
    }
  }

  if (!values['skip-e2e'] && specs.length > 0) {
    since = Date.now();
    say(`e2e specs: ${specs.join(' ')}`);
    const servers = { disabled: trusted, restricted };
    const result = await runE2e(
      specs,
      { MLC_VSCODE_SERVERS: JSON.stringify(servers), MLC_VSCODE_RUN_DIR: runDir },
      join(runDir, 'e2e.tap'),
    );
    tally.e2e.passed += result.passed;
    tally.e2e.failed += result.failed;
    tally.e2e.skipped += result.skipped;
    if (result.code !== 0 && result.failed === 0) problems.push(`node --test exited with ${result.code}`);
    say(`e2e: ${result.passed} passed, ${result.failed} failed in ${seconds(since)}`);
  }
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  await stopAllCodeServers();
}
finish();
