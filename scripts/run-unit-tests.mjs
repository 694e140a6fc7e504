// Runs every test/unit/**/*.test.ts (or those below the folders given) with node's built-in test runner, on the TypeScript
// sources through tsx. Extra arguments are passed on (e.g. a file path to run one file).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
// A folder stands for every test file below it (`test/services`: the real-server tier).
const files = (requested.length > 0 ? requested : ['test/unit']).flatMap((path) =>
  statSync(path).isDirectory() ? findTests(path).sort() : [path],
);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
