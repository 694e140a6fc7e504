import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, formatTable } from '../../../src/cli/tableOutput';

test('formatTable pads every column but the last and escapes cells for the terminal', () => {
  assert.equal(
    formatTable(
      ['ID', 'NAME'],
      [
        ['r1', 'first\x1b[2J'],
        ['run-22', 'b'],
      ],
    ),
    ['ID      NAME', 'r1      first\\x1b[2J', 'run-22  b'].join('\n'),
  );
});

test('formatNumber keeps integers, six significant digits, and exponents for extremes', () => {
  assert.equal(formatNumber(42), '42');
  assert.equal(formatNumber(0.123456789), '0.123457');
  assert.equal(formatNumber(1e-7), '1.0000e-7');
});
