// One build for every bundle: the extension, the CLI, the worker threads, the webview panels
// and the integration-test suites. Entry points are found by convention so that adding a worker,
// a panel or a suite needs no edit here (see CONTRIBUTING.md).
//   node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliEntryPoints } from './cliEntryPoints.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const listFiles = (dir, keep) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return listFiles(path, keep);
        return keep(entry.name) ? [path] : [];
      })
    : [];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // sql.js looks for its wasm next to the bundle; it is copied there below.
  external: ['vscode'],
};

const builds = [
  // The pipeline worker sits beside extension.js (not in dist/workers/): the workers it starts in
  // turn (hash, process, plots) are then found as extension.js finds them.
  {
    ...nodeCommon,
    entryPoints: { extension: 'src/extension/extension.ts', pipelineWorker: 'src/extension/worker/pipelineWorker.ts' },
    outdir: 'dist',
  },
  // dist/cli.js is the loader (the only file with a #! line: the bundle is compiled inside a
  // function wrapper, where one is a syntax error); dist/cli.bundle.js the CLI it runs.
  { ...nodeCommon, entryPoints: { cli: cliEntryPoints.cli }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...nodeCommon, entryPoints: { 'cli.bundle': cliEntryPoints['cli.bundle'] }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { 'cli.keptAnswers': cliEntryPoints['cli.keptAnswers'] }, outdir: 'dist' },
  {
    ...nodeCommon,
    entryPoints: listFiles('src/node/workers', (name) => name.endsWith('Worker.ts')),
    outdir: 'dist/workers',
  },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: true,
    logLevel: 'warning',
    // A panel's page is `<panel>/main.ts` -> `<panel>.js`; a worker a page starts is `<name>Worker.ts`
    // -> `<name>Worker.js` beside it (the page's CSP allows workers from there only).
    entryPoints: listFiles('webview-ui', (name) => name === 'main.ts' || name.endsWith('Worker.ts')).map((path) => ({
      in: path,
      out: path.endsWith('/main.ts') ? path.split('/').at(-2) : path.split('/').at(-1).replace(/\.ts$/, ''),
    })),
    outdir: 'dist/webview',
    loader: { '.css': 'css' },
  },
  {
    ...nodeCommon,
    sourcemap: 'inline',
    minify: false,
    entryPoints: listFiles('test/integration', (name) => name.endsWith('.ts')),
    outbase: 'test/integration',
    outdir: 'out/test/integration',
    external: ['vscode', 'mocha'],
  },
].filter((options) => (Array.isArray(options.entryPoints) ? options.entryPoints.length > 0 : true));

function copyAssets() {
  mkdirSync('dist', { recursive: true });
  copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  copyAssets();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  copyAssets();
}
