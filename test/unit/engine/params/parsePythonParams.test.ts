import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPythonValue, unboxPythonFloats } from '../../../../src/engine/params/formatPythonValue';
import { parsePythonParams } from '../../../../src/engine/params/parsePythonParams';

const source = `
"""Training parameters."""
import os

SEED = 42
LR: float = 1.0
NAME = 'resnet' "-50"
SIZES = [1, 2, 3,
         4]
PAIR = 1, -2.5
FLAGS = {'a': True, "b": None}
OFF = os.environ.get("X")  # not a literal: skipped
A = B = 3  # two targets: skipped
HEX = 0x1F
BIG = 1_000_000

class Train:
    epochs = 10
    optimizer = "adam"

    class Schedule:
        gamma = 0.5

    def __init__(self):
        self.batch = 32
        local = 1

    def other(self):
        self.hidden = 1

if True:
    HIDDEN = 1
`;

test('parsePythonParams reads the literal assignments DVC reads', () => {
  const { value, problems } = parsePythonParams(source, '/ws/params.py');
  assert.deepEqual(problems, []);
  assert.deepEqual(unboxPythonFloats(value), {
    SEED: 42,
    LR: 1,
    NAME: 'resnet-50',
    SIZES: [1, 2, 3, 4],
    PAIR: [1, -2.5],
    FLAGS: { a: true, b: null },
    HEX: 31,
    BIG: 1000000,
    Train: { epochs: 10, optimizer: 'adam', Schedule: { gamma: 0.5 }, batch: 32 },
  });
  assert.equal(formatPythonValue((value as Record<string, unknown>).LR), '1.0');
});

test('parsePythonParams reports an unclosed string at its line', () => {
  const { problems } = parsePythonParams('A = 1\nB = "oops\n', '/ws/params.py');
  assert.equal(problems[0]?.code, 'paramsFileSyntax');
  assert.equal(problems[0]?.line, 2);
});
