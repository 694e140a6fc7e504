// `npm test`: every test, in order: static checks and unit tests, then the build, then the suites
// that need real services or a real VS Code. Prints each step's summary and, last, one line
// "all: N passed, N failed, N skipped" over all suites. Exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { nodeTestCount, plainCount, summaryLine } from './test-counts.mjs';

/** Each step is a command; `count` reads its passed/failed/skipped figures from the output. */
const steps = [
  // The README promises that `npm test` sets up a fresh machine by itself (idempotent: ~1 s when
  // everything is installed).
  { name: 'setup', command: 'bash', args: ['scripts/setup.sh'] },
  { name: 'typecheck', command: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'lint', command: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'format', command: 'npm', args: ['run', '--silent', 'format:check'] },
  { name: 'unit', command: 'npm', args: ['run', '--silent', 'test:unit'], count: nodeTestCount },
  // The mlc CLI spawned on temp workspaces, as users and CI run it (processes, signals, locks).
  { name: 'cli', command: 'npm', args: ['run', '--silent', 'test:cli'], count: nodeTestCount },
  // Reliability evidence (test/reliability): fuzzing, kill -9 during runs, concurrency and load,
  // paths that must stay inside the workspace, hostile input, secrets; each prints its figures
  // (`reliability figure: …`). `npm run test:soak` runs the same suites longer.
  { name: 'reliability', command: 'npm', args: ['run', '--silent', 'test:reliability'], count: nodeTestCount },
  // The runners against real servers on loopback (sshd, Slurm) that the tests start themselves.
  { name: 'services', command: 'node', args: ['scripts/run-unit-tests.mjs', '--tier=services'], count: nodeTestCount },
  { name: 'build', command: 'npm', args: ['run', '--silent', 'build'] },
  // Integration suites in a real VS Code extension host and e2e specs in Chromium (code-server);
  // the build above is reused. Missing tools fail this step (the set-up step above installs them).
  {
    name: 'vscode',
    command: process.execPath,
    args: ['scripts/test-vscode.mjs', '--no-build'],
    count: plainCount,
  },
];

function runStep(step) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${step.name}: ${[step.command, ...step.args].join(' ')}\n`);
    const child = spawn(step.command, step.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const forward = (stream, target) =>
      stream.on('data', (chunk) => {
        output += chunk;
        target.write(chunk);
      });
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const step of steps) {
  const { code, output } = await runStep(step);
  if (step.count) {
    const figures = step.count(output);
    passed += figures.passed;
    failed += figures.failed;
    skipped += figures.skipped;
  }
  if (code !== 0) failures.push(step.name);
}
process.stdout.write(`\nsteps failed: ${failures.length === 0 ? 'none' : failures.join(', ')}\n`);
if (failures.length > 0 && failed === 0) failed = failures.length;
process.stdout.write(`${summaryLine('all', { passed, failed, skipped })}\n`);
process.exit(failures.length > 0 ? 1 : 0);
