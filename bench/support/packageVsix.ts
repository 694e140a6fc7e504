import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../..');
/** What the production build reads: the sources, linked (the build writes only dist/). */
const buildEntries = ['src', 'webview-ui', 'node_modules', 'package.json', 'tsconfig.base.json', 'tsconfig.json'];
/** What scripts/package.mjs needs beside dist/: what .vscodeignore ships, and Node 24 for vsce. */
const packagingEntries = [
  '.vscodeignore',
  'media',
  'syntaxes',
  'schemas',
  'snippets',
  'package.nls.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  '.tools',
];
/** Copied, not linked: Node resolves a linked script to the repository, which would pack its dist/. */
const packagingScripts = ['scripts/package.mjs', 'test/support/vscode/toolchain.mjs'];

/**
 * A production build in `workspace` (an empty folder; the working tree's dist/ is left alone, other
 * engineers' test runs use it): the sources are linked in and `scripts/build.mjs --production`
 * writes `workspace/dist/`. Throws with the build's output when it fails.
 */
export function buildProduction(workspace: string): string {
  for (const entry of buildEntries) {
    if (existsSync(join(repoRoot, entry))) symlinkSync(join(repoRoot, entry), join(workspace, entry));
  }
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--production'], {
    cwd: workspace,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`production build failed:\n${result.stdout}\n${result.stderr}`);
  return join(workspace, 'dist');
}

/**
 * Packs the production build of `workspace` (see buildProduction) into `vsixPath` with
 * `scripts/package.mjs --no-build --quiet --out`, as `npm run package` would, and returns the path.
 */
export function packageVsix(workspace: string, vsixPath: string): string {
  for (const entry of packagingEntries) {
    if (!existsSync(join(repoRoot, entry)) || existsSync(join(workspace, entry))) continue;
    // Copied, not linked: vsce does not follow a linked folder (the icon under media/ goes missing).
    // The tools are only run, so a link does for them.
    if (entry === '.tools') symlinkSync(join(repoRoot, entry), join(workspace, entry));
    else cpSync(join(repoRoot, entry), join(workspace, entry), { recursive: true });
  }
  for (const script of packagingScripts) {
    mkdirSync(join(workspace, script, '..'), { recursive: true });
    copyFileSync(join(repoRoot, script), join(workspace, script));
  }
  const result = spawnSync(
    process.execPath,
    [join(workspace, 'scripts/package.mjs'), '--no-build', '--quiet', '--out', vsixPath],
    { cwd: workspace, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`packaging failed:\n${result.stdout}\n${result.stderr}`);
  return vsixPath;
}
