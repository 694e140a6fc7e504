// Bundle sizes of the minified production build against PERFORMANCE-TARGETS.md: the extension
// <= 300 kB, each webview <= 150 kB (kB = 1000 bytes). The CLI and the workers have no target and
// are reported for information. The build runs in a temporary folder whose src/, webview-ui/ and
// node_modules/ are links to the repository's, so the working tree's dist/ is left alone. The .vsix
// (target <= 2 MB) is packed from that production dist/ by scripts/package.mjs, copied beside it
// (the script packs the folder it finds itself in) with the files the package ships linked in.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { measure } from './support/measure';
import { runBench } from './support/runBench';

const repoRoot = resolve(__dirname, '..');
const linkedEntries = ['src', 'webview-ui', 'node_modules', 'package.json', 'tsconfig.base.json', 'tsconfig.json'];
/** What scripts/package.mjs needs beside dist/: what .vscodeignore ships, and Node 24 for vsce. */
const packagingEntries = ['.vscodeignore', 'media', 'syntaxes', 'README.md', 'LICENSE', 'CHANGELOG.md', '.tools'];
/** Copied, not linked: Node resolves a linked script to the repository, which would pack its dist/. */
const packagingScripts = ['scripts/package.mjs', 'test/support/vscode/toolchain.mjs'];
const kB = 1000;
const MB = 1000 * kB;

const jsFiles = (folder: string) =>
  existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.js') && !file.endsWith('.map')) : [];

void runBench('build', async ({ tempDir, report, log }) => {
  const workspace = tempDir('build');
  for (const entry of linkedEntries) {
    if (existsSync(join(repoRoot, entry))) symlinkSync(join(repoRoot, entry), join(workspace, entry));
  }

  log('node scripts/build.mjs --production (in a temporary folder)');
  const build = await measure(
    () => {
      const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--production'], {
        cwd: workspace,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`production build failed:\n${result.stdout}\n${result.stderr}`);
    },
    { warmup: 0, iterations: 1 },
  );
  report({ name: 'production build, all bundles', value: build.medianMs, unit: 'ms', note: 'informational' });

  const dist = join(workspace, 'dist');
  const sizeOf = (path: string) => {
    const bytes = statSync(path).size;
    return { kilobytes: bytes / kB, gzipKilobytes: gzipSync(readFileSync(path)).length / kB };
  };
  const describe = (gzip: number) => `gzip ${gzip.toFixed(1)} kB`;

  const extension = sizeOf(join(dist, 'extension.js'));
  report({
    name: 'extension.js (minified)',
    value: extension.kilobytes,
    unit: 'kB',
    target: { value: 300, comparison: '<=' },
    note: describe(extension.gzipKilobytes),
  });

  const cli = sizeOf(join(dist, 'cli.js'));
  report({ name: 'cli.js (minified)', value: cli.kilobytes, unit: 'kB', note: describe(cli.gzipKilobytes) });

  const webviews = jsFiles(join(dist, 'webview'));
  if (webviews.length === 0) log('no webview bundles yet (webview-ui/*/main.ts): nothing to measure');
  for (const file of webviews) {
    const size = sizeOf(join(dist, 'webview', file));
    report({
      name: `webview/${file} (minified)`,
      value: size.kilobytes,
      unit: 'kB',
      target: { value: 150, comparison: '<=' },
      note: describe(size.gzipKilobytes),
    });
  }

  const workers = jsFiles(join(dist, 'workers'));
  for (const file of workers) {
    const size = sizeOf(join(dist, 'workers', file));
    report({
      name: `workers/${file} (minified)`,
      value: size.kilobytes,
      unit: 'kB',
      note: describe(size.gzipKilobytes),
    });
  }

  for (const entry of packagingEntries) {
    if (existsSync(join(repoRoot, entry))) symlinkSync(join(repoRoot, entry), join(workspace, entry));
  }
  for (const script of packagingScripts) {
    mkdirSync(join(workspace, script, '..'), { recursive: true });
    copyFileSync(join(repoRoot, script), join(workspace, script));
  }
  const vsix = join(tempDir('vsix'), 'mlc.vsix');
  log('node scripts/package.mjs --no-build (the production dist/ above)');
  const pack = spawnSync(
    process.execPath,
    [join(workspace, 'scripts/package.mjs'), '--no-build', '--quiet', '--out', vsix],
    { cwd: workspace, encoding: 'utf8' },
  );
  if (pack.status !== 0) throw new Error(`packaging failed:\n${pack.stdout}\n${pack.stderr}`);
  report({
    name: '.vsix (production package)',
    value: statSync(vsix).size / MB,
    unit: 'MB',
    target: { value: 2, comparison: '<=' },
  });
});
