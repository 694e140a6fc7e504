import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCommandFiles } from '../../../../src/engine/deploy/startCommandFiles';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

test('startCommandFiles: the folder of each script the start command names, a top-level file alone', () => {
  const fs = createMemoryFileSystem({
    '/ws/src/serve.py': '',
    '/ws/src/features.py': '',
    '/ws/app.py': '',
    '/ws/config/serve.yaml': '',
    '/etc/passwd': '',
  });
  assert.deepEqual(
    startCommandFiles(fs, '/ws', `python3 src/serve.py --model {model} --port {port} --config 'config/serve.yaml'`),
    ['src', 'config'],
  );
  assert.deepEqual(startCommandFiles(fs, '/ws', 'python3 ./app.py'), ['app.py']);
  assert.deepEqual(startCommandFiles(fs, '/ws', 'python3 /etc/passwd ../ws/app.py src missing.py'), []);
});
