import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployActionValidators } from '../../../src/protocol/deploy';
import { parseMessage } from '../../../src/protocol/validateMessage';

test('Deploy panel actions: a target name and, for deploy, a positive whole version; anything else is dropped', () => {
  const accepted = [
    { type: 'deploy', target: 'local', version: 2 },
    { type: 'rollback', target: 'local' },
    { type: 'undeploy', target: 'local' },
    { type: 'openLog', target: 'local' },
    { type: 'ready' },
  ];
  for (const message of accepted)
    assert.equal(parseMessage(message, deployActionValidators).ok, true, JSON.stringify(message));
  const refused = [
    { type: 'deploy', target: 'local', version: 0 },
    { type: 'deploy', target: 'local', version: 1.5 },
    { type: 'deploy', target: 'local', version: '2' },
    { type: 'deploy', target: '', version: 2 },
    { type: 'rollback', target: 42 },
    { type: 'rollback', target: 'x'.repeat(201) },
    { type: 'runShell', command: 'rm -rf /' },
  ];
  for (const message of refused)
    assert.equal(parseMessage(message, deployActionValidators).ok, false, JSON.stringify(message));
});
