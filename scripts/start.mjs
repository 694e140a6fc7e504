// `npm start`, the main job: set up, build, and open the example project in VS Code with the mlc
// extension loaded. With desktop VS Code (`code` on the PATH) it opens a window with
// --extensionDevelopmentPath=<this repository>. Otherwise it packages the extension, installs it
// into a code-server of its own (a real VS Code in the browser) on 127.0.0.1 and prints the URL;
// the server runs until Ctrl-C and is stopped with everything it started. The CLI tour of the
// example is `npm run demo`.
//   node scripts/start.mjs [EXAMPLE] [--web] [--no-setup] [--port N] [--smoke]
//   EXAMPLE     a folder under examples/ (default churn)
//   --web       use code-server even when `code` is on the PATH
//   --port N    first port to try for code-server (default 8080)
//   --smoke     start code-server, check that it serves the workbench, stop it and exit (for CI)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createRunDir, installExtension, startCodeServer } from '../test/support/vscode/codeServer.mjs';
import { repoRoot } from '../test/support/vscode/toolchain.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    web: { type: 'boolean' },
    'no-setup': { type: 'boolean' },
    port: { type: 'string' },
    smoke: { type: 'boolean' },
  },
});
const example = positionals[0] ?? 'churn';
const exampleDir = join(repoRoot, 'examples', example);

function fail(message) {
  process.stderr.write(`\nnpm start: ${message}\n`);
  process.exit(1);
}

/** Runs a step with inherited output after printing a heading; fails the job when it fails. */
function step(title, command, args) {
  process.stdout.write(`\n=== ${title}\n$ ${[command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) fail(`${title} failed (exit ${result.status ?? result.signal}); see the output above.`);
}

/** The desktop VS Code launcher on the PATH, if any. */
function findCode() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'code'))) return join(dir, 'code');
  }
  return undefined;
}

if (!existsSync(exampleDir)) fail(`no example '${example}': expected a folder ${relative(repoRoot, exampleDir)}`);
if (!values['no-setup']) step('set-up', 'bash', ['scripts/setup.sh']);
step('build', process.execPath, ['scripts/build.mjs']);

const code = values.web || values.smoke ? undefined : findCode();
if (code) {
  step('open VS Code', code, [`--extensionDevelopmentPath=${repoRoot}`, exampleDir]);
  process.stdout.write(`\nVS Code opened ${relative(repoRoot, exampleDir)} with mlc loaded from ${repoRoot}.\n`);
  process.exit(0);
}

const runDir = await createRunDir('start');
const vsix = join(runDir, 'mlc.vsix');
step('package', process.execPath, ['scripts/package.mjs', '--no-build', '--quiet', '--out', vsix]);
process.stdout.write('\n=== code-server\n');
installExtension(runDir, vsix);
const server = await startCodeServer({
  runDir,
  name: 'start',
  folder: exampleDir,
  testDriver: false,
  port: Number(values.port ?? 8080),
  workspaceTrust: 'disabled',
  reconnectionGraceSeconds: 300,
});
const url = `${server.url}/?folder=${encodeURIComponent(exampleDir)}`;

if (values.smoke) {
  const page = await fetch(url).then((response) => response.text());
  await server.stop();
  if (!page.includes('workbench')) fail(`code-server answered ${url} without the workbench page`);
  process.stdout.write(`smoke: code-server served the workbench for ${relative(repoRoot, exampleDir)} and stopped\n`);
  process.exit(0);
}

process.stdout.write(
  [
    '',
    `VS Code (code-server) is serving ${relative(repoRoot, exampleDir)} with the mlc extension installed:`,
    '',
    `    ${url}`,
    '',
    'Open the ML icon in the activity bar, then "ML: Run Pipeline" from the command palette (F1).',
    `Logs: ${relative(repoRoot, server.logFile)}. Press Ctrl-C to stop.`,
    '',
  ].join('\n'),
);
// Keep running until Ctrl-C (codeServer.mjs stops the server on SIGINT/SIGTERM) or until the
// server exits by itself.
const timer = setInterval(() => {
  if (server.stopping) return;
  try {
    process.kill(server.pid, 0);
  } catch {
    clearInterval(timer);
    fail(`code-server exited; see ${relative(repoRoot, server.logFile)}`);
  }
}, 1000);
