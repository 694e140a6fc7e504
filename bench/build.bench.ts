// Bundle sizes of the minified production build against PERFORMANCE-TARGETS.md: the extension
// <= 300 kB, each webview <= 150 kB (kB = 1000 bytes). The CLI and the workers have no target and
// are reported for information. The build runs in a temporary folder whose src/, webview-ui/ and
// node_modules/ are links to the repository's, so the working tree's dist/ is left alone. The .vsix
// (target <= 2 MB) is packed from that production dist/ by scripts/package.mjs, copied beside it
// (the script packs the folder it finds itself in) with the files the package ships linked in.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { measure } from './support/measure';
import { buildProduction, packageVsix } from './support/packageVsix';
import { runBench } from './support/runBench';

const kB = 1000;
const MB = 1000 * kB;

const jsFiles = (folder: string) =>
  existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.js') && !file.endsWith('.map')) : [];

void runBench('build', async ({ tempDir, report, log }) => {
  const workspace = tempDir('build');

  log('node scripts/build.mjs --production (in a temporary folder)');
  let dist = '';
  const build = await measure(() => (dist = buildProduction(workspace)), { warmup: 0, iterations: 1 });
  report({ name: 'production build, all bundles', value: build.medianMs, unit: 'ms', note: 'informational' });

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

  // dist/cli.js is only the code-cache loader; the CLI itself is cli.bundle.js.
  const cli = sizeOf(join(dist, 'cli.bundle.js'));
  report({ name: 'cli.bundle.js (minified)', value: cli.kilobytes, unit: 'kB', note: describe(cli.gzipKilobytes) });

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

  // The extension host's pipeline worker sits beside extension.js (absent in builds before it existed).
  if (existsSync(join(dist, 'pipelineWorker.js'))) {
    const size = sizeOf(join(dist, 'pipelineWorker.js'));
    report({
      name: 'pipelineWorker.js (minified)',
      value: size.kilobytes,
      unit: 'kB',
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

  log('node scripts/package.mjs --no-build (the production dist/ above)');
  const vsix = packageVsix(workspace, join(tempDir('vsix'), 'mlc.vsix'));
  report({
    name: '.vsix (production package)',
    value: statSync(vsix).size / MB,
    unit: 'MB',
    target: { value: 2, comparison: '<=' },
  });
});
