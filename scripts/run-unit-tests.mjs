// Runs node:test suites on the TypeScript sources through tsx, two files at a time (one per core:
// most of the time goes to waiting on spawned processes). Tiers are folders:
//   node scripts/run-unit-tests.mjs              test/unit: pure and fast (npm run check)
//   node scripts/run-unit-tests.mjs --tier=cli   test/cli: spawns the mlc CLI and real programs
//                                                (shells, Chromium for the panel bundles)
//   node scripts/run-unit-tests.mjs --tier=reliability [--soak]   test/reliability: fuzzing, kill -9,
//     load, paths, hostile input, secrets; --soak (npm run test:soak) sets MLC_SOAK=1 for more iterations
// Extra arguments are passed on (a file path runs that file only; a --test-concurrency wins).
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

const args = process.argv.slice(2);
const tier = args.find((arg) => arg.startsWith('--tier='))?.slice('--tier='.length) ?? 'unit';
const requested = args.filter((arg) => !arg.startsWith('--'));
const soak = args.includes('--soak');
const flags = args.filter((arg) => arg.startsWith('--') && !arg.startsWith('--tier=') && arg !== '--soak');
const files = requested.length > 0 ? requested : findTests(join('test', tier)).sort();
const concurrency = flags.some((flag) => flag.startsWith('--test-concurrency')) ? [] : ['--test-concurrency=2'];
// tsx's CommonJS hook only (the sources compile to CommonJS): `--import tsx` also starts the ESM
// loader-hooks thread in every test process, which doubled each file's start-up CPU (~0.5 s -> ~0.3 s).
const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', '--test', ...concurrency, ...flags, ...files], {
  stdio: 'inherit',
  env: soak ? { ...process.env, MLC_SOAK: '1' } : process.env,
});
process.exit(result.status ?? 1);
