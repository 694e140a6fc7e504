import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRunIndexService } from '../../../../src/node/runIndex/createRunIndexService';
import { makeTempDir } from '../../../support/tempDir';

test('a DVCLive run is running while its writer process lives and interrupted once it is killed', async (t) => {
  const root = makeTempDir('mlc-live-');
  const writer = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => {
    writer.kill('SIGKILL');
  });
  fs.mkdirSync(join(root, 'dvclive', 'plots', 'metrics'), { recursive: true });
  fs.writeFileSync(join(root, 'dvclive', 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n0\t1\n');
  fs.writeFileSync(join(root, 'dvclive', 'metrics.json'), '{"loss": 1, "step": 0}');
  fs.mkdirSync(join(root, '.dvc', 'tmp', 'exps', 'run'), { recursive: true });
  fs.writeFileSync(
    join(root, '.dvc', 'tmp', 'exps', 'run', 'DVCLIVE_STEP_COMPLETED'),
    JSON.stringify({ pid: writer.pid, step: 0 }),
  );
  // A zero quiet period: only the signal file and the pid can say "running".
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false, staleAfterMs: 0 });
  t.after(() => service.dispose());
  assert.equal((await service.listRuns()).runs[0]!.status, 'running');
  writer.kill('SIGKILL');
  await once(writer, 'exit');
  assert.equal((await service.listRuns()).runs[0]!.status, 'interrupted');
  fs.rmSync(join(root, '.dvc', 'tmp', 'exps', 'run', 'DVCLIVE_STEP_COMPLETED'));
  assert.equal((await service.listRuns()).runs[0]!.status, 'succeeded');
});
