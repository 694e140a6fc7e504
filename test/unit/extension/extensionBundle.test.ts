import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';

const repoRoot = resolve(__dirname, '../../..');

/** The bundled inputs of one entry point, built as scripts/build.mjs builds it (nothing written). */
async function bundledInputs(entryPoint: string): Promise<string[]> {
  const result = await build({
    entryPoints: [resolve(repoRoot, entryPoint)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    write: false,
    outdir: resolve(repoRoot, 'out', 'bundle-inputs'),
    metafile: true,
    logLevel: 'silent',
  });
  const metafile: Metafile = result.metafile;
  return Object.keys(metafile.inputs);
}

test('simple-git is bundled into the run index worker, not into the extension host', async () => {
  const extension = await bundledInputs('src/extension/extension.ts');
  assert.deepEqual(
    extension.filter((input) => /node_modules\/(simple-git|@simple-git)\//.test(input)),
    [],
    'the extension host asks the run index worker for git (RunIndexClient.git)',
  );
  const worker = await bundledInputs('src/node/workers/runIndexWorker.ts');
  assert.ok(worker.some((input) => /node_modules\/simple-git\//.test(input)));
});
