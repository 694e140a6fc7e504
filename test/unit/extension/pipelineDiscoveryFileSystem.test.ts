import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoverPipelines } from '../../../src/engine/pipeline/discoverPipelines';
import { pipelineDiscoveryFileSystem } from '../../../src/extension/state/pipelineDiscoveryFileSystem';
import { createMemoryFileSystem } from '../../support/memoryFileSystem';

test('discovery through the known-files view finds exactly the known pipeline files', () => {
  const base = createMemoryFileSystem({
    '/ws/mlc.yaml': 'stages: {}',
    '/ws/sub/project/dvc.yaml': 'stages: {}',
    '/ws/data/big/x.csv': '1',
    '/ws/other/dvc.yaml': 'stages: {}',
  });
  const view = pipelineDiscoveryFileSystem(base, '/ws', ['/ws/mlc.yaml', '/ws/sub/project/dvc.yaml']);
  assert.deepEqual(discoverPipelines(view, '/ws'), ['/ws/mlc.yaml', '/ws/sub/project/dvc.yaml']);
  assert.deepEqual(view.readDirectory('/ws/data'), []);
});

test('everything but folder listings reads the real files', () => {
  const base = createMemoryFileSystem({ '/ws/mlc.yaml': 'stages: {}', '/ws/params.yaml': 'seed: 1' });
  const view = pipelineDiscoveryFileSystem(base, '/ws', ['/ws/mlc.yaml']);
  assert.equal(view.readText('/ws/params.yaml'), 'seed: 1');
  assert.equal(view.stat('/ws/params.yaml')?.kind, 'file');
});
