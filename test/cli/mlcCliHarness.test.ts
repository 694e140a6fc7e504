// The CLI tests' one harness (test/support/mlcCli.ts): the blocking runner answers like the
// spawned one, and the temp workspaces go when the test process exits.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { createWorkspace, repoRoot, runMlc, runMlcSync } from '../support/mlcCli';

test('runMlcSync and runMlc give the same exit code and output', async () => {
  const root = createWorkspace({ 'dvc.yaml': 'stages:\n  s:\n    cmd: echo hi\n' });
  const blocking = runMlcSync(root, ['dag']);
  const spawned = await runMlc(root, ['dag']);
  assert.equal(blocking.code, 0, blocking.stderr);
  assert.deepEqual(blocking, spawned);
  assert.equal(runMlcSync(root, ['dag', '--no-such-flag']).code, 2);
});

test('a workspace from createWorkspace is removed when the test process exits', () => {
  const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
  const harness = JSON.stringify(join(repoRoot, 'test/support/mlcCli.ts'));
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      tsxLoader,
      '--input-type=module',
      '-e',
      // The harness is CommonJS: its exports arrive as the ES module's default.
      `const { createWorkspace } = (await import(${harness})).default; console.log(createWorkspace({ 'a.txt': 'a' }));`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  const folder = child.stdout.trim();
  assert.ok(folder.length > 0, 'the child printed its workspace');
  assert.equal(existsSync(folder), false, `${folder} outlived its test process`);
});
