import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A .cjs worker entry in `folder` that loads the TypeScript run index worker through tsx (the
 * build bundles it instead), for tests of the client in `worker` mode on the sources.
 */
export function typescriptWorkerBootstrap(folder: string): string {
  const path = join(folder, 'run-index-worker.cjs');
  const tsxApi = require.resolve('tsx/cjs/api');
  const worker = join(resolve(__dirname, '../..'), 'src', 'node', 'workers', 'runIndexWorker.ts');
  writeFileSync(path, `require(${JSON.stringify(tsxApi)}).register();\nrequire(${JSON.stringify(worker)});\n`);
  return path;
}
