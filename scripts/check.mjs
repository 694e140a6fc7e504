// `npm run check`: typecheck, lint and format check one after the other, while the unit tests run
// beside them. The static checks use one core and the tests two workers, so on a fresh clone
// (no tsc, eslint or prettier cache yet: ~55 s of CPU) the two cores stay busy instead of the tests
// waiting for them. Safe together: the static checks only read the sources (tsc -b writes out/tsc,
// which no test reads). Their output is printed after the tests', each under its name.
import { spawn } from 'node:child_process';

const staticChecks = ['typecheck', 'lint', 'format:check'];

function run(script, { quiet }) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], {
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    });
    let output = '';
    if (quiet) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('close', (code) => resolve({ script, code: code ?? 1, output }));
  });
}

async function runStaticChecks() {
  const results = [];
  for (const script of staticChecks) results.push(await run(script, { quiet: true }));
  return results;
}

const [checks, unit] = await Promise.all([runStaticChecks(), run('test:unit', { quiet: false })]);
for (const { script, code, output } of checks) {
  process.stdout.write(`\n=== ${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`}\n${output}`);
}
const failed = [...checks, unit].filter((result) => result.code !== 0).map((result) => result.script);
process.stdout.write(failed.length === 0 ? '\ncheck: all passed\n' : `\ncheck: failed: ${failed.join(', ')}\n`);
process.exit(failed.length === 0 ? 0 : 1);
