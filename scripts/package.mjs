// `npm run package`: builds the production bundles and packs them into mlc-<version>.vsix with
// @vscode/vsce. esbuild bundles every dependency into dist/, so vsce runs with --no-dependencies and
// .vscodeignore keeps sources, tests, examples, node_modules, .tools and out/ out of the package.
// vsce runs on Node 24 from .tools (scripts/setup.sh) when present, else on this Node.
//   node scripts/package.mjs [--no-build] [--out FILE]
//   --no-build  package the bundles already in dist/ (scripts/test-vscode.mjs builds them itself)
//   --quiet     print vsce's file listing only when it fails
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { node24Bin, node24Env, repoRoot } from '../test/support/vscode/toolchain.mjs';

const { values } = parseArgs({
  options: { 'no-build': { type: 'boolean' }, quiet: { type: 'boolean' }, out: { type: 'string' } },
});
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const vsixPath = resolve(repoRoot, values.out ?? `${manifest.name}-${manifest.version}.vsix`);

function run(command, args, env = process.env) {
  const output = values.quiet ? 'pipe' : 'inherit';
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', output, output], env, encoding: 'utf8' });
  if (result.status !== 0) {
    if (values.quiet) process.stderr.write(`${result.stdout}${result.stderr}`);
    process.stderr.write(`package: ${[command, ...args].join(' ')} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}

if (!values['no-build']) run(process.execPath, ['scripts/build.mjs', '--production']);
if (!existsSync(join(repoRoot, 'dist/extension.js'))) {
  process.stderr.write('package: dist/extension.js is missing; run `npm run build` first\n');
  process.exit(1);
}

const useNode24 = existsSync(node24Bin);
if (!useNode24) process.stderr.write('package: .tools/node24 not installed (bash scripts/setup.sh); using this Node\n');
run(
  useNode24 ? node24Bin : process.execPath,
  [
    join(repoRoot, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    // README.md links to ARCHITECTURE.md and CONTRIBUTING.md; without a repository URL vsce cannot
    // make them absolute, so they stay relative (they work wherever the repository is checked out).
    '--no-rewrite-relative-links',
    '--out',
    vsixPath,
  ],
  useNode24 ? node24Env() : process.env,
);
const sizeKb = Math.round(statSync(vsixPath).size / 1024);
process.stdout.write(`package: ${relative(repoRoot, vsixPath)} (${sizeKb} KiB)\n`);
