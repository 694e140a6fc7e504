import assert from 'node:assert/strict';
import { test } from 'node:test';
import { terminalText, widestLength } from '../../../src/cli/terminalText';

test('terminalText turns C0 and C1 controls and DEL into visible escapes and keeps other text', () => {
  assert.equal(terminalText('\u001b]0;pwned\u0007'), '\\x1b]0;pwned\\x07');
  assert.equal(terminalText('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.equal(terminalText('\u0000\u007f\u0080\u009b[2J'), '\\x00\\x7f\\x80\\x9b[2J');
  assert.equal(terminalText('train@cnn é ü 学习 ✔ \\ "q"'), 'train@cnn é ü 学习 ✔ \\ "q"');
});

test('widestLength measures more texts than a spread into Math.max could take', () => {
  const texts = Array.from({ length: 300_000 }, (_, index) => `stage${index}`);
  assert.equal(widestLength(texts), 'stage299999'.length);
  assert.equal(widestLength([]), 0);
});
