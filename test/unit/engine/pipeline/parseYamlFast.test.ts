import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseYamlFast } from '../../../../src/engine/pipeline/parseYamlFast';
import { parseYamlTree } from '../../../../src/engine/pipeline/parseYamlTree';
import { skipWithoutRealWorldFixtures, realWorldFixturesRoot } from '../../../support/realWorldFixtures';

/** Trees without `end` (the fast reader may place collection ends differently) and with NaN visible. */
function comparable(tree: unknown): unknown {
  return JSON.parse(
    JSON.stringify(tree, (key, value) =>
      key === 'end' ? undefined : typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
    ),
  );
}

function assertSameAsGeneralParser(text: string, name: string): boolean {
  const fast = parseYamlFast(text);
  if (!fast) return false;
  const general = parseYamlTree(text, '/f.yaml', { fastPath: false });
  assert.deepEqual(general.problems, [], `${name}: the fast reader accepted YAML the general parser rejects`);
  assert.deepEqual(comparable(fast.tree), comparable(general.tree), name);
  return true;
}

const tricky = {
  nulls: 'a:\nb:   # comment\nc: ~\nd: null\ne:\n  -\n  - \n  - x\nf: {k: , j: [1, "q"]}\n',
  scalars:
    'i: 12\nn: -3\np: +4\nf: 1.0\ng: .5\nh: 1e5\no: 0o17\nx: 0x1F\ninf: -.inf\nnan: .NaN\nt: True\nu: FALSE\ns: 1_000\nv: 1.2.3\nw: a#b\nurl: http://x:8080/y\nsp: two words  \n',
  quoted: `'a b': 'it''s'\n"c": "tab\\there \\u00e9 \\"q\\""\nd: '#not comment'\n`,
  sequences: 'top:\n- a\n- b\nnext: 1\nnested:\n  - - x\n    - y\n  - k: v\n    l: w\n  - [p, {q: r}]\n',
  flows: 'empty: []\nmap: {}\nspaced: { type: ssh, host: gpu-box , port: 22 }\nlist: [a b, "c,d", 1.0, true]\n',
  scalarBelowKey: 'foreach:\n  ${sources}\ndo:\n  cmd: x\n',
  scalarDocument: 'just a scalar\n',
  comments:
    '# header\n\nstages:   # the stages\n  # inner comment\n  s:\n    cmd: echo hi # trailing\n\n    deps: [a]\n',
};

test('the fast YAML reader gives the same trees as the general parser on tricky snippets', () => {
  for (const [name, text] of Object.entries(tricky))
    assert.ok(assertSameAsGeneralParser(text, name), `${name} should use the fast path`);
});

test('the fast YAML reader declines what it does not support, so the general parser decides', () => {
  for (const text of [
    'a: &x 1\nb: *x\n',
    'a: |\n  block\n',
    'a: b: c\n',
    'a: [1,\n  2]\n',
    'cmd: one\n  two\n',
    'a: 1\na: 2\n',
    '---\na: 1\n',
    'a:\r\n  b: 1\r\n',
    'a: !!str 1\n',
    '<<: {a: 1}\n',
    `a: ${'['.repeat(500)}${']'.repeat(500)}\n`,
  ]) {
    assert.equal(parseYamlFast(text), undefined, JSON.stringify(text));
  }
});

test('a bug inside the fast reader is thrown, not hidden behind the general parser', () => {
  // Simulates a bug: the duplicate-key check of a block map throws a TypeError.
  const has = Set.prototype.has;
  Set.prototype.has = function (this: Set<unknown>, value: unknown) {
    if (value === 'stages') throw new TypeError('simulated bug in the fast reader');
    return has.call(this, value);
  };
  try {
    assert.throws(() => parseYamlFast('stages:\n  a: 1\n'), /simulated bug in the fast reader/);
  } finally {
    Set.prototype.has = has;
  }
  assert.ok(parseYamlFast('stages:\n  a: 1\n'), 'the reader works again once the bug is gone');
});

const realWorld = realWorldFixturesRoot;
const fixtures = resolve(__dirname, '../../../fixtures');

function yamlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.(ya?ml|lock)$/.test(entry.name) ? [path] : [];
  });
}

test('on every YAML fixture the fast reader either declines or agrees with the general parser', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const files = [...yamlFiles(realWorld), ...yamlFiles(fixtures)];
  let accepted = 0;
  for (const file of files) if (assertSameAsGeneralParser(readFileSync(file, 'utf8'), file)) accepted++;
  assert.ok(accepted > files.length / 2, `the fast path read only ${accepted} of ${files.length} files`);
});
