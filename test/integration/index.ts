// Entry of the integration suites inside a VS Code extension host: the @vscode/test-electron
// contract (`extensionTestsPath` points at the built out/test/integration/index.js, whose `run()`
// resolves when every test passed and rejects otherwise). scripts/test-vscode.mjs loads it in
// code-server's extension host; `.vscode-test.mjs` and test-electron load it in desktop VS Code.
//
// Suites are the `*.test.js` files beside this one (bdd: describe/it). Suites that expect an
// untrusted workspace (Restricted Mode) live in restricted/ and run only when
// MLC_TEST_TRUST=restricted. The outcome is printed as "N passed, N failed" and, when
// MLC_TEST_RESULT_FILE is set, written there as JSON. MLC_TEST_GREP filters test titles.
// MLC_TEST_SUITE runs one suite file only (`runPipeline.test.js`): the harness runs each suite in a
// window of its own on a fresh copy of the workspace, so no suite sees another's leftovers.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** One test's outcome in the JSON result file. */
interface TestOutcome {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly durationMs?: number;
  readonly error?: string;
}

/** What the harness reads back after the extension host has finished. */
export interface IntegrationResult {
  readonly trust: string;
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
  readonly files: readonly string[];
  readonly tests: readonly TestOutcome[];
  readonly node: string;
  readonly finishedAt: string;
}

/** Marks the lines the harness echoes from the browser console (the extension host's console). */
const linePrefix = '[mlc-it] ';

function suiteFiles(trust: string): string[] {
  const folder = trust === 'restricted' ? join(__dirname, 'restricted') : __dirname;
  const only = process.env.MLC_TEST_SUITE;
  return readdirSync(folder)
    .filter((name) => name.endsWith('.test.js') && (only === undefined || name === only))
    .sort()
    .map((name) => join(folder, name));
}

function writeResult(result: IntegrationResult): void {
  const resultFile = process.env.MLC_TEST_RESULT_FILE;
  if (!resultFile) return;
  mkdirSync(dirname(resultFile), { recursive: true });
  writeFileSync(resultFile, JSON.stringify(result, null, 2));
}

export function run(): Promise<void> {
  const trust = process.env.MLC_TEST_TRUST ?? 'disabled';
  const files = suiteFiles(trust);
  const tests: TestOutcome[] = [];
  const finish = (failed: number): IntegrationResult => {
    const result = {
      trust,
      passed: tests.filter((test) => test.state === 'passed').length,
      failed,
      pending: tests.filter((test) => test.state === 'pending').length,
      files,
      tests,
      node: process.version,
      finishedAt: new Date().toISOString(),
    };
    writeResult(result);
    console.log(`${linePrefix}${result.passed} passed, ${result.failed} failed`);
    return result;
  };
  // Mocha's reporters print through Base.consoleLog, which the extension host forwards to the
  // workbench's console; the prefix lets the harness tell those lines from the workbench's own.
  const reporterBase = Mocha.reporters.Base;
  const consoleLog = reporterBase.consoleLog;
  // Formatted here: the workbench forwards the raw arguments, so '%s' would reach it unfilled.
  reporterBase.consoleLog = (...args: unknown[]) => consoleLog(`${linePrefix}${format(...args)}`);
  const restoreConsole = () => (reporterBase.consoleLog = consoleLog);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  if (process.env.MLC_TEST_GREP) mocha.grep(process.env.MLC_TEST_GREP);
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        restoreConsole();
        const result = finish(failures);
        if (result.failed > 0) reject(new Error(`${result.failed} integration tests failed`));
        // With a grep, a suite may hold no matching test; the harness checks the total.
        else if (result.passed === 0 && !process.env.MLC_TEST_GREP)
          reject(new Error(`no integration test ran (files: ${files.join(', ') || 'none'})`));
        else resolve();
      });
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
      runner.on('fail', (test, error: unknown) =>
        tests.push({
          title: test.fullTitle(),
          state: 'failed',
          durationMs: test.duration,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
      );
    } catch (error) {
      // A suite that fails to load (a throwing import) never reaches the runner's callback.
      restoreConsole();
      tests.push({ title: 'loading the suites', state: 'failed', error: String(error) });
      finish(1);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
