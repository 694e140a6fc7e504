import assert from 'node:assert/strict';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HASH_CACHE_FILE } from '../../src/node/hashing/createContentHasher';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

const pipeline = 'stages:\n  copy:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n';

/** The stage's state and reasons, as `mlc status --json` reports them. */
function statusOf(root: string): [string, string[]] {
  const result = runMlcSync(root, ['status', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const [stage] = (JSON.parse(result.stdout) as { stages: Array<{ state: string; reasons: string[] }> }).stages;
  return [stage!.state, stage!.reasons];
}

/**
 * Rewrites the dep in place (same inode, same size) and puts back its mtime, a whole second so
 * that utimes sets it exactly: a stat then shows the inode, size and mtime a cache saw before.
 */
function rewriteKeepingMtime(file: string, content: string, mtime: Date): void {
  writeFileSync(file, content);
  utimesSync(file, mtime, mtime);
  assert.equal(statSync(file).mtimeMs, mtime.getTime());
}

test('a dep rewritten in place with the same size within the same mtime tick as the last status is seen modified', () => {
  const root = createWorkspace({ 'mlc.yaml': pipeline, 'in.txt': 'aaaa' });
  const dep = join(root, 'in.txt');
  // The tick the dep was written in (a whole second: see rewriteKeepingMtime).
  const tick = new Date(Math.floor(Date.now() / 1000) * 1000);
  utimesSync(dep, tick, tick);
  const run = runMlcSync(root, ['run']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(statusOf(root), ['up-to-date', []]);
  rewriteKeepingMtime(dep, 'bbbb', tick);
  assert.deepEqual(statusOf(root), ['changed', ['dep in.txt modified']]);
});

test('a dep rewritten with the same size long after it was cached, its mtime put back, is seen modified (ctime)', async () => {
  const root = createWorkspace({ 'mlc.yaml': pipeline, 'in.txt': 'aaaa' });
  const dep = join(root, 'in.txt');
  const longAgo = new Date(1_700_000_000_000);
  utimesSync(dep, longAgo, longAgo);
  const run = runMlcSync(root, ['run']);
  assert.equal(run.code, 0, run.stderr);
  // Past the racy window (of the ctime, which utimes just set), the status keeps the dep's hash in hashes.tsv.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  assert.deepEqual(statusOf(root), ['up-to-date', []]);
  assert.match(readFileSync(join(root, HASH_CACHE_FILE), 'utf8'), /\tin\.txt\n/, 'the hash was kept');
  rewriteKeepingMtime(dep, 'bbbb', longAgo);
  assert.deepEqual(statusOf(root), ['changed', ['dep in.txt modified']]);
});
