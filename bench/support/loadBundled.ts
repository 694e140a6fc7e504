import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Loads `entry` bundled as the CLI and the workers ship (esbuild, one CommonJS file, node20), so
 * a benchmark times the code users run. Loaded from the sources through tsx instead, every call
 * to an imported function goes through an export getter of tsx's CommonJS output: a quarter of
 * TensorBoard's framing time was those getters. `BENCH_FROM_SOURCES=1` loads the sources as they
 * are (what `import` gives), to compare.
 *
 *   import type * as ShippedReaders from './support/shippedReaders';
 *   const readers = await loadBundled<typeof ShippedReaders>(
 *     join(__dirname, 'support/shippedReaders.ts'), tempDir('bundle'));
 */
export async function loadBundled<Module>(entry: string, outdir: string): Promise<Module> {
  if (process.env.BENCH_FROM_SOURCES === '1') return (await import(entry)) as Module;
  const outfile = join(outdir, 'bundle.js');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['vscode'],
    logLevel: 'warning',
  });
  return (await import(outfile)) as Module;
}
