// Runs every test/unit/**/*.test.ts with node's built-in test runner, on the TypeScript
// sources through tsx. Extra arguments are passed on (e.g. a file path to run one file).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const files = requested.length > 0 ? requested : findTests('test/unit').sort();
// Two files at a time (one per core): the suite is mostly waiting on spawned processes. A
// --test-concurrency given on the command line wins.
const concurrency = flags.some((flag) => flag.startsWith('--test-concurrency')) ? [] : ['--test-concurrency=2'];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...concurrency, ...flags, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
