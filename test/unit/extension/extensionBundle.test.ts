import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';

const repoRoot = resolve(__dirname, '../../..');

/** One entry point built as `scripts/build.mjs --production` builds it (nothing written): its inputs and minified size. */
async function bundle(entryPoint: string): Promise<{ readonly inputs: string[]; readonly bytes: number }> {
  const result = await build({
    entryPoints: [resolve(repoRoot, entryPoint)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    minify: true,
    write: false,
    outdir: resolve(repoRoot, 'out', 'bundle-inputs'),
    metafile: true,
    logLevel: 'silent',
  });
  const metafile: Metafile = result.metafile;
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  return { inputs: Object.keys(metafile.inputs), bytes: output?.bytes ?? Number.NaN };
}

const bundledInputs = async (entryPoint: string) => (await bundle(entryPoint)).inputs;

const YAML_PARSING =
  /node_modules\/yaml\/|src\/engine\/(pipeline\/parseYamlTree|lock\/parseLockFile|params\/readParams|scheduler\/runPipeline)\.ts$/;

test('YAML parsing, status and the scheduler are in the pipeline worker, and the extension host bundle stays <= 300 kB', async () => {
  const extension = await bundle('src/extension/extension.ts');
  assert.deepEqual(
    extension.inputs.filter((input) => YAML_PARSING.test(input)),
    [],
    'the extension host asks the pipeline worker (src/extension/worker/pipelineWorkerServices.ts)',
  );
  assert.ok(
    extension.bytes <= 300 * 1024,
    `dist/extension.js would be ${extension.bytes} bytes minified (limit 300 kB)`,
  );
  const worker = await bundledInputs('src/extension/worker/pipelineWorker.ts');
  assert.ok(worker.some((input) => /node_modules\/yaml\//.test(input)));
  assert.ok(worker.some((input) => input.endsWith('src/engine/scheduler/runPipeline.ts')));
  assert.ok(!worker.some((input) => /node_modules\/vscode\//.test(input)));
});

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
