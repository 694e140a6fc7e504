import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeStagePlacement } from '../../../../src/engine/runners/stagePlacement';

test('a stage run on this machine has no placement to show', () => {
  assert.equal(describeStagePlacement({}), undefined);
});

test('a stage on an ssh runner shows the runner and the host', () => {
  assert.equal(describeStagePlacement({ runner: 'gpu', host: 'me@gpu-box:2222' }), 'gpu · me@gpu-box:2222');
});

test('a queued Slurm job shows its job id and pending reason; a started one only its job id', () => {
  const queued = { runner: 'cluster', host: 'this machine', jobId: '42', queuedReason: 'Priority' };
  assert.equal(describeStagePlacement(queued), 'cluster · this machine · Slurm job 42 · queued: Priority');
  const { queuedReason: _, ...started } = queued;
  assert.equal(describeStagePlacement(started), 'cluster · this machine · Slurm job 42');
});
