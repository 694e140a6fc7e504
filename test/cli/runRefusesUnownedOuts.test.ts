import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

/** A workspace `ws/` next to a file it must never touch, with one stage whose out is `out`. */
function workspaceWithOut(out: string): { root: string; workspace: string } {
  const root = createWorkspace({
    'outside.txt': 'not mlc’s to delete\n',
    'ws/dvc.yaml': `stages:\n  clobber:\n    cmd: echo ran > ran.txt\n    outs:\n      - ${out}\n`,
    'ws/.git/HEAD': 'ref: refs/heads/main\n',
    'ws/data.csv': 'a,b\n',
  });
  return { root, workspace: join(root, 'ws') };
}

for (const [out, code] of [
  ['../outside.txt', 'outOutsideWorkspace'],
  ['.', 'outNotOwned'],
] as const) {
  test(`mlc run refuses outs: [${out}] with exit 2 at dvc.yaml:5 and deletes nothing`, () => {
    const { root, workspace } = workspaceWithOut(out);
    const result = runMlcSync(workspace, ['run']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`dvc\\.yaml:5:9: error\\[${code}\\]: The out '${out.replaceAll('.', '\\.')}'`),
    );
    assert.equal(readFileSync(join(root, 'outside.txt'), 'utf8'), 'not mlc’s to delete\n');
    assert.equal(readFileSync(join(workspace, 'dvc.yaml'), 'utf8').includes('clobber'), true);
    assert.equal(readFileSync(join(workspace, '.git/HEAD'), 'utf8'), 'ref: refs/heads/main\n');
    assert.equal(readFileSync(join(workspace, 'data.csv'), 'utf8'), 'a,b\n');
    assert.equal(existsSync(join(workspace, 'ran.txt')), false);
  });
}
