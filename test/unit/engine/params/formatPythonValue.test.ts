import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatPythonNumber,
  formatPythonValue,
  formatTemplateValue,
  pythonFloat,
} from '../../../../src/engine/params/formatPythonValue';
import { quoteShellArgument } from '../../../../src/engine/commandLine/quoteShellArgument';

test('formatPythonNumber prints floats as Python repr does', () => {
  const cases: Array<[number, string]> = [
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [1234567890123456, '1234567890123456.0'],
    [1.5e300, '1.5e+300'],
    [-2.5e-7, '-2.5e-07'],
    [123.456, '123.456'],
    [1e22, '1e+22'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  for (const [value, expected] of cases) assert.equal(formatPythonNumber(value, true), expected, String(value));
});

test('formatPythonNumber prints ints without exponent, even beyond 1e21', () => {
  assert.equal(formatPythonNumber(42), '42');
  assert.equal(formatPythonNumber(-7), '-7');
  assert.equal(formatPythonNumber(1e21), '1000000000000000000000');
});

test('formatPythonValue is str(): 1.0 stays 1.0, None, True, and list/dict reprs', () => {
  assert.equal(formatPythonValue(pythonFloat(1)), '1.0');
  assert.equal(formatPythonValue(null), 'None');
  assert.equal(formatPythonValue(true), 'True');
  assert.equal(formatPythonValue(['a', 1, pythonFloat(2), null, "it's"]), `['a', 1, 2.0, None, "it's"]`);
  assert.equal(formatPythonValue({ lr: 0.1, name: 'x' }), "{'lr': 0.1, 'name': 'x'}");
});

test('formatTemplateValue is DVC to_str: bools become true/false', () => {
  assert.equal(formatTemplateValue(true), 'true');
  assert.equal(formatTemplateValue(false), 'false');
  assert.equal(formatTemplateValue(pythonFloat(3)), '3.0');
});

test('quoteShellArgument (the one shell quoting) quotes only when needed, like shlex.quote', () => {
  assert.equal(quoteShellArgument('abc-1.0/x:y,z=1@%+'), 'abc-1.0/x:y,z=1@%+');
  assert.equal(quoteShellArgument(''), "''");
  assert.equal(quoteShellArgument('a b'), "'a b'");
  assert.equal(quoteShellArgument("it's"), `'it'"'"'s'`);
});
