import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const repoRoot = resolve(__dirname, '../..');

/**
 * Bundles the CLI and every worker (`src/node/workers/*Worker.ts` -> `workers/<name>.js`) from the
 * sources into `outdir`, laid out as `dist/` is, so a benchmark can spawn `mlc` as users run it
 * without touching the working tree's dist/. Returns the path of `cli.js`.
 *
 *   const cli = await bundleCli(tempDir('status-cli'));
 *   spawnSync(process.execPath, [cli, 'status', '--json'], { cwd: workspace });
 */
export async function bundleCli(outdir: string): Promise<string> {
  const workersFolder = join(repoRoot, 'src/node/workers');
  const entryPoints: Record<string, string> = { cli: join(repoRoot, 'src/cli/main.ts') };
  for (const file of readdirSync(workersFolder)) {
    if (file.endsWith('Worker.ts')) entryPoints[`workers/${file.slice(0, -'.ts'.length)}`] = join(workersFolder, file);
  }
  await build({
    entryPoints,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir,
    external: ['vscode'],
    logLevel: 'warning',
  });
  return join(outdir, 'cli.js');
}
