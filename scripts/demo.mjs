// `npm run demo`: the command-line tour of an example project: set up, build, then drive the
// example with the CLI (validate, dag, status, run, status, runs) and print each step. Commands that
// the CLI does not have yet are skipped with a message. (`npm start` opens the example in VS Code.)
//   node scripts/demo.mjs [EXAMPLE]      EXAMPLE: a folder under examples/ (default churn)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const example = process.argv[2] ?? 'churn';
const exampleDir = join(repoRoot, 'examples', example);
const cli = join(repoRoot, 'dist', 'cli.js');

/** Runs a command with inherited output and returns its exit code, after printing a heading. */
function step(title, command, args, cwd = repoRoot) {
  const shown = [
    command === process.execPath ? 'node' : command,
    ...args.map((arg) => (arg.startsWith(repoRoot) ? relative(cwd, arg) : arg)),
  ];
  const where = cwd === repoRoot ? '' : `   (in ${relative(repoRoot, cwd)})`;
  process.stdout.write(`\n=== ${title}\n$ ${shown.join(' ')}${where}\n`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.error) process.stdout.write(`could not start ${command}: ${result.error.message}\n`);
  return result.status ?? 1;
}

function fail(message) {
  process.stderr.write(`\nnpm run demo: ${message}\n`);
  process.exit(1);
}

if (!existsSync(exampleDir)) fail(`no example '${example}': expected a folder ${relative(repoRoot, exampleDir)}`);
if (step('set-up', 'bash', ['scripts/setup.sh']) !== 0) fail('set-up failed (scripts/setup.sh); see its output above.');
if (step('build', 'npm', ['run', '--silent', 'build']) !== 0) fail('the build failed; see the errors above.');

const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
const available = new Set([...(help.stdout ?? '').matchAll(/^[ \t]+mlc ([a-z][\w-]*)/gm)].map((match) => match[1]));
process.stdout.write(`\nCLI commands available: ${[...available].sort().join(', ') || '(none yet)'}\n`);

const plan = [
  ['validate', []],
  ['dag', []],
  ['status', []],
  ['run', []],
  ['status', []],
  ['runs', ['--limit', '5']],
];
const failures = [];
const skipped = [];
for (const [name, args] of plan) {
  if (!available.has(name)) {
    process.stdout.write(`\n=== mlc ${name}: skipped (the CLI has no '${name}' command yet)\n`);
    skipped.push(name);
    continue;
  }
  const code = step(`mlc ${name}`, process.execPath, [cli, name, ...args], exampleDir);
  if (code !== 0) failures.push(`mlc ${name} exited with ${code}`);
}

const ran = plan.length - skipped.length;
const outcome = failures.length === 0 ? `${ran} CLI steps succeeded` : failures.join('; ');
process.stdout.write(
  `\n=== done: ${outcome}${skipped.length > 0 ? `; skipped (not built yet): ${skipped.join(', ')}` : ''}\n`,
);
process.exit(failures.length === 0 ? 0 : 1);
