// `npm run screenshots:readme`: copies the README's pictures from the screenshots the E2E suite
// took last (test-results/screenshots/, written by `npm test` or `npm run test:vscode`) into
// docs/screenshots/, so the README shows what the real workbench showed, never a hand-made image.
// Each picture names the spec and the label it comes from; the spec numbers its shots in the order
// taken, so the file is found by `<spec>-<n>-<label>.png`. Exits 1 naming any shot that is missing.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The README's pictures: docs/screenshots/<file> <- test-results/screenshots/<spec>-<n>-<label>.png */
export const readmeScreenshots = [
  { file: 'first-run.png', spec: 'walkthrough', label: 'first-run' },
  { file: 'get-started.png', spec: 'walkthrough', label: 'walkthrough-opened' },
  { file: 'alert.png', spec: 'walkthrough', label: 'alert' },
  { file: 'run-history.png', spec: 'run-panels', label: 'history-light' },
  { file: 'compare.png', spec: 'run-panels', label: 'compare-dark' },
  { file: 'metric-charts.png', spec: 'metric-charts', label: 'overlay-light' },
  { file: 'pipeline-graph.png', spec: 'pipeline-graph', label: 'graph-light' },
  { file: 'deploy.png', spec: 'deploy', label: 'panel-light' },
];

/** The newest `<spec>-<n>-<label>.png` in `folder`, or undefined. */
export function findScreenshot(folder, { spec, label }) {
  const pattern = new RegExp(`^${spec}-\\d+-${label}\\.png$`);
  const names = readdirSync(folder).filter((name) => pattern.test(name));
  const newest = names
    .map((name) => ({ name, modified: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.modified - a.modified)[0];
  return newest && join(folder, newest.name);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const shots = join(repoRoot, 'test-results', 'screenshots');
  const docs = join(repoRoot, 'docs', 'screenshots');
  mkdirSync(docs, { recursive: true });
  const missing = [];
  for (const picture of readmeScreenshots) {
    const source = (() => {
      try {
        return findScreenshot(shots, picture);
      } catch {
        return undefined;
      }
    })();
    if (!source) {
      missing.push(`${picture.spec}-<n>-${picture.label}.png (for ${picture.file})`);
      continue;
    }
    copyFileSync(source, join(docs, picture.file));
    process.stdout.write(`docs/screenshots/${picture.file} <- ${source.slice(repoRoot.length)}\n`);
  }
  if (missing.length > 0) {
    process.stderr.write(
      `missing in test-results/screenshots/ (run \`npm run test:vscode\` first):\n  ${missing.join('\n  ')}\n`,
    );
    process.exit(1);
  }
}
