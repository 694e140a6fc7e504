import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStartQueue, type QueuedStart } from '../../../../src/engine/scheduler/startQueue';

/** A queue whose starts write what happened to them into `log`. */
function aQueue(slots: number) {
  const queue = createStartQueue();
  queue.setSlots(slots);
  const log: string[] = [];
  const submit = (name: string, ahead = false): QueuedStart => {
    const start: QueuedStart = { ahead, start: () => log.push(`start ${name}`), drop: () => log.push(`drop ${name}`) };
    queue.submit(start);
    return start;
  };
  return { queue, log, submit };
}

test('at most `slots` commands run; a freed slot starts the next at once, starts not handed ahead first', () => {
  const { queue, log, submit } = aQueue(2);
  submit('a');
  submit('b');
  submit('c', true);
  submit('d');
  assert.deepEqual(log, ['start a', 'start b']);
  queue.ended(true);
  assert.deepEqual(log, ['start a', 'start b', 'start d'], 'd was not handed ahead: it goes before c');
  queue.ended(true);
  assert.deepEqual(log.at(-1), 'start c');
});

test('after a failure what was handed ahead is dropped, and so is what comes ahead until a plain start', () => {
  const { queue, log, submit } = aQueue(1);
  submit('a');
  submit('b', true);
  submit('c', true);
  queue.ended(false);
  assert.deepEqual(log, ['start a', 'drop b', 'drop c']);
  submit('d', true);
  assert.deepEqual(log.at(-1), 'drop d', 'the caller has not gone on yet');
  submit('e');
  submit('f', true);
  assert.deepEqual(log.slice(-1), ['start e']);
  queue.ended(true);
  assert.deepEqual(log.at(-1), 'start f');
});

test('a waiting start can be removed (cancelled); a started one cannot, and clear empties the queue', () => {
  const { queue, log, submit } = aQueue(1);
  const a = submit('a');
  const b = submit('b', true);
  submit('c');
  assert.equal(queue.remove(a), false);
  assert.equal(queue.remove(b), true);
  assert.equal(queue.clear().length, 1);
  queue.ended(true);
  assert.deepEqual(log, ['start a']);
});
