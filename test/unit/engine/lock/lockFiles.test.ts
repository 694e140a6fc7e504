import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pythonFloat } from '../../../../src/engine/params/formatPythonValue';
import { type StageLockEntry, lockFilePathFor } from '../../../../src/engine/lock/model';
import { parseLockFile, parseLockYaml } from '../../../../src/engine/lock/parseLockFile';
import { parseLockLayout } from '../../../../src/engine/lock/parseLockLayout';
import { serializeLockEntry, serializeLockFile } from '../../../../src/engine/lock/serializeLockEntry';
import { updateLockText } from '../../../../src/engine/lock/updateLockText';
import { realDvcLockFiles, skipWithoutRealWorldFixtures } from '../../../support/realWorldFixtures';

/**
 * Files whose long commands were folded by a newer ruamel.yaml, which also moves a word that
 * would cross column 80; mlc folds like the older releases. Both read back as the same strings.
 */
const NEWER_RUAMEL_FOLDING = ['open-innovations-yff/main-233e003/pipelines/ons/', 'bradford-2025/'];

test('every real dvc.lock parses without problems; DVC 1.x files are read as version 1', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const files = realDvcLockFiles();
  assert.ok(files.length >= 15);
  for (const file of files) {
    const { value, problems } = parseLockFile(readFileSync(file, 'utf8'), file);
    assert.deepEqual(problems, [], file);
    assert.ok(value.stages.size > 0, file);
    const isLegacy = !readFileSync(file, 'utf8').startsWith("schema: '2.0'");
    assert.equal(value.version, isLegacy ? 1 : 2, file);
  }
});

test('a v1 lock file keeps legacy entries (md5 without hash: md5) and their stage names', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const file = realDvcLockFiles().find((path) => path.includes('get-started/pr1-3df98ae'))!;
  const { value } = parseLockFile(readFileSync(file, 'utf8'), file);
  assert.deepEqual([...value.stages.keys()], ['featurize', 'evaluate', 'prepare', 'train']);
  assert.deepEqual(value.stages.get('evaluate')?.outs, [
    { path: 'auc.metric', md5: '0eaa29dc9b8c89bb9ba1348b3c3cc772' },
  ]);
});

test('serialising the parsed real dvc.lock files gives back the same bytes (DVC layout, Python floats, folding)', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  let identical = 0;
  for (const file of realDvcLockFiles()) {
    const text = readFileSync(file, 'utf8');
    const { value } = parseLockFile(text, file);
    if (value.version !== 2) continue;
    const written = serializeLockFile(value.stages);
    assert.deepEqual(parseLockFile(written, file).value, value, `${file} reads back the same`);
    if (NEWER_RUAMEL_FOLDING.some((part) => file.includes(part))) continue;
    assert.equal(written, text, file);
    identical++;
  }
  assert.ok(identical >= 12, `only ${identical} files compared byte for byte`);
});

test('replacing one stage entry keeps every other byte of every real lock file', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  for (const file of realDvcLockFiles()) {
    const text = readFileSync(file, 'utf8');
    const { value } = parseLockFile(text, file);
    if (value.version !== 2) continue;
    for (const [name, entry] of value.stages) {
      const changed = { ...entry, cmd: 'python changed.py' };
      const updated = updateLockText(text, value, name, changed);
      const reread = parseLockFile(updated, file).value;
      assert.deepEqual([...reread.stages.keys()], [...value.stages.keys()], `${file}: order kept`);
      assert.deepEqual(reread.stages.get(name), changed);
      const before = text.split('\n');
      const after = updated.split('\n');
      let prefix = 0;
      while (before[prefix] === after[prefix]) prefix++;
      let suffix = 0;
      while (suffix < before.length && before.at(-1 - suffix) === after.at(-1 - suffix)) suffix++;
      const replaced = after.slice(prefix, after.length - suffix).join('\n');
      const ownLines = serializeLockEntry(name, changed).join('\n');
      assert.ok(ownLines.includes(replaced), `${file} ${name}: only the entry's own lines changed`);
    }
  }
});

test('a new stage is appended at the end of stages, before other top-level keys', () => {
  const text = "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\ndatasets:\n- name: d\n  type: dvc\n";
  const current = parseLockFile(text, 'dvc.lock').value;
  const updated = updateLockText(text, current, 'b', { cmd: ['echo b', 'echo c'], deps: [], params: {}, outs: [] });
  assert.equal(
    updated,
    "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  b:\n    cmd:\n    - echo b\n    - echo c\ndatasets:\n- name: d\n  type: dvc\n",
  );
});

test('a missing, empty or DVC 1.x lock file is written whole in schema 2.0', () => {
  const entry = { cmd: 'python t.py', deps: [{ path: 'x', hash: 'md5', md5: 'ab', size: 1 }], params: {}, outs: [] };
  const expected =
    "schema: '2.0'\nstages:\n  t:\n    cmd: python t.py\n    deps:\n    - path: x\n      hash: md5\n      md5: ab\n      size: 1\n";
  const empty = parseLockFile('', 'dvc.lock').value;
  assert.equal(updateLockText(undefined, empty, 't', entry), expected);
  assert.equal(updateLockText('', empty, 't', entry), expected);
  const v1Text = 'old:\n  cmd: echo old\n';
  const v1 = parseLockFile(v1Text, 'dvc.lock').value;
  assert.equal(v1.version, 1);
  assert.equal(
    updateLockText(v1Text, v1, 't', entry),
    "schema: '2.0'\nstages:\n  old:\n    cmd: echo old\n  t:\n" + expected.split('  t:\n')[1],
  );
});

test('params are written params.yaml first, other files alphabetically, keys sorted, values as Python/ruamel print them', () => {
  const lines = serializeLockEntry('train', {
    cmd: 'python train.py',
    deps: [],
    params: {
      'b.json': { z: 1, a: 'x' },
      'a.toml': { lr: 1e-5 },
      'params.yaml': { 'train.lr': pythonFloat(1), seed: 7, flag: true, none: null, list: [1, 'two'], empty: {} },
    },
    outs: [],
  });
  assert.deepEqual(lines, [
    '  train:',
    '    cmd: python train.py',
    '    params:',
    '      params.yaml:',
    '        empty: {}',
    '        flag: true',
    '        list:',
    '        - 1',
    '        - two',
    '        none:',
    '        seed: 7',
    '        train.lr: 1.0',
    '      a.toml:',
    '        lr: 1e-05',
    '      b.json:',
    '        a: x',
    '        z: 1',
  ]);
});

test('strings that YAML would read as something else are quoted; long commands fold at column 80', () => {
  const [, cmd] = serializeLockEntry('s', {
    cmd: 'true',
    deps: [],
    params: { 'params.yaml': { a: '1.0', b: 'yes', c: '' } },
    outs: [],
  });
  assert.equal(cmd, "    cmd: 'true'");
  const long = serializeLockEntry('s', { cmd: `python ${'word '.repeat(20)}end`, deps: [], params: {}, outs: [] })
    .join('\n')
    .split('\n');
  assert.equal(long[1], '    cmd: python word word word word word word word word word word word word word word');
  assert.equal(long[2], '      word word word word word word end');
  assert.deepEqual(
    parseLockFile(`schema: '2.0'\nstages:\n${long.join('\n')}\n`, 'x').value.stages.get('s')?.cmd,
    `python ${'word '.repeat(20)}end`,
  );
});

test('lock files sit beside their pipeline: dvc.yaml -> dvc.lock, mlc.yaml -> mlc.lock, MLproject -> none', () => {
  assert.equal(lockFilePathFor({ pipelineFile: '/ws/sub/dvc.yaml' }), '/ws/sub/dvc.lock');
  assert.equal(lockFilePathFor({ pipelineFile: '/ws/mlc.yaml' }), '/ws/mlc.lock');
  assert.equal(lockFilePathFor({ pipelineFile: '/ws/MLproject' }), undefined);
});

test('unreadable lock files give located problems with stable codes, never an exception', () => {
  assert.equal(parseLockFile('stages: [\n', 'dvc.lock').problems[0]?.code, 'lockFileSyntax');
  assert.equal(parseLockFile("schema: '3.0'\nstages: {}\n", 'dvc.lock').problems[0]?.code, 'lockFileSchema');
  const invalid = parseLockFile("schema: '2.0'\nstages:\n  a:\n    deps: 3\n", 'dvc.lock');
  assert.equal(invalid.problems[0]?.code, 'lockEntryInvalid');
  assert.equal(invalid.value.stages.size, 0);
});

test('an alias to no anchor, or aliases that expand past the limit, are a located syntax problem, never an exception', () => {
  // Found by the reliability fuzz suite: the yaml package throws a ReferenceError from toJS for both.
  const unresolved = "schema: '2.0'\nstages:\n  a:\n    cmd: *nowhere\n";
  assert.deepEqual(located(unresolved), [[4, 10, 'error', 'lockFileSyntax']]);
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (const [index, name] of [...'bcdefg'].entries()) {
    const previous = 'abcdefg'[index]!;
    laughs.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
  }
  const bomb = `${laughs.join('\n')}\nschema: '2.0'\nstages:\n  s: *g\n`;
  const problems = located(bomb);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]![3], 'lockFileSyntax');
  assert.ok((problems[0]![0] as number) >= 2, 'located at an alias, not at the top of the file');
});

/** [line, column, severity, code] of each problem. */
const located = (text: string) =>
  parseLockFile(text, 'dvc.lock').problems.map((problem) => [
    problem.line,
    problem.column,
    problem.severity,
    problem.code,
  ]);

const twoEntries = "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  b:\n    cmd: echo b\n";

test('git merge conflict markers are named as such, at the line of the first marker, and no entry is read', () => {
  const conflicted =
    "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  b:\n<<<<<<< HEAD\n    cmd: echo b\n=======\n    cmd: echo bb\n>>>>>>> feature\n";
  const { value, problems } = parseLockFile(conflicted, 'dvc.lock');
  assert.deepEqual(located(conflicted), [[6, 1, 'error', 'lockFileConflict']]);
  assert.equal(
    problems[0]?.message,
    'git merge conflict markers at line 6; resolve the conflict or delete the file (its stages then run again).',
  );
  assert.equal(value.stages.size, 0, 'not even the entry before the conflict: the file is not what either side wrote');
  // A half-resolved file (only the closing marker left) and diff3's base marker count too.
  assert.deepEqual(located(`${twoEntries}>>>>>>> feature\n`), [[7, 1, 'error', 'lockFileConflict']]);
  assert.deepEqual(located(`${twoEntries}|||||||\n`), [[7, 1, 'error', 'lockFileConflict']]);
  // Seven signs inside a value are not a marker.
  assert.deepEqual(located("schema: '2.0'\nstages:\n  a:\n    cmd: echo =======\n"), []);
});

test('binary data, a map that is not one, an unknown schema and a bad `stages` are located errors with no entries', () => {
  const binary = parseLockFile(`${twoEntries}\u0000\u0001PNG`, 'dvc.lock');
  assert.deepEqual(located(`${twoEntries}\u0000\u0001PNG`), [[7, 1, 'error', 'lockFileUnreadable']]);
  assert.match(binary.problems[0]!.message, /not a text file/);
  assert.equal(binary.value.stages.size, 0);
  assert.deepEqual(located('- a\n- b\n'), [[1, 1, 'error', 'lockFileSchema']]);
  assert.deepEqual(located('just some text\n'), [[1, 1, 'error', 'lockFileSchema']]);
  const newer = "# written by a future DVC\nschema: '3.0'\nstages:\n  a:\n    cmd: echo a\n";
  assert.deepEqual(located(newer), [[2, 1, 'error', 'lockFileSchema']]);
  assert.match(parseLockFile(newer, 'dvc.lock').problems[0]!.message, /schema '3\.0'/);
  assert.equal(parseLockFile(newer, 'dvc.lock').value.stages.size, 0);
  assert.deepEqual(located("schema: '2.0'\nstages:\n- a\n"), [[2, 1, 'error', 'lockFileSchema']]);
});

test('an empty, blank or comment-only lock file is an empty lock without problems', () => {
  for (const text of ['', '\n\n', '   \n', '# nothing recorded yet\n']) {
    const { value, problems } = parseLockFile(text, 'dvc.lock');
    assert.deepEqual(problems, [], JSON.stringify(text));
    assert.equal(value.stages.size, 0);
  }
});

test('a stage entry written twice (a merge that kept both) is a located syntax error, not the last one silently', () => {
  const twice = `${twoEntries}  a:\n    cmd: echo other\n`;
  assert.deepEqual(located(twice), [[7, 3, 'error', 'lockFileSyntax']]);
  assert.match(parseLockFile(twice, 'dvc.lock').problems[0]!.message, /appears twice/);
  assert.equal(parseLockFile(twice, 'dvc.lock').value.stages.size, 0);
});

test('a malformed entry is a warning at its key, and replacing another entry keeps its bytes', () => {
  const text =
    "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  broken:\n    deps: 3  # edited by hand\n  c:\n    cmd: echo c\n";
  const current = parseLockFile(text, 'dvc.lock');
  assert.deepEqual(located(text), [[5, 3, 'warning', 'lockEntryInvalid']]);
  assert.deepEqual(current.value.invalidEntries, ['broken']);
  const entry = { cmd: 'echo new', deps: [], params: {}, outs: [] };
  assert.equal(
    updateLockText(text, current.value, 'c', entry),
    "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  broken:\n    deps: 3  # edited by hand\n  c:\n    cmd: echo new\n",
  );
  assert.equal(
    updateLockText(text, current.value, 'd', entry),
    `${text}  d:\n    cmd: echo new\n`,
    'a new entry goes last; the malformed one stays',
  );
  assert.equal(
    updateLockText(text, current.value, 'broken', entry),
    "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n  broken:\n    cmd: echo new\n  c:\n    cmd: echo c\n",
    'the stage of the malformed entry replaces it when it succeeds',
  );
});

test('a file that can only be rewritten whole refuses to drop a malformed entry', () => {
  const flow = "{schema: '2.0', stages: {a: {cmd: echo a}, broken: {deps: 3}}}\n";
  const current = parseLockFile(flow, 'dvc.lock').value;
  assert.deepEqual(current.invalidEntries, ['broken']);
  const entry = { cmd: 'echo new', deps: [], params: {}, outs: [] };
  assert.throws(() => updateLockText(flow, current, 'a', entry), /would drop the malformed entry of 'broken'/);
  assert.match(updateLockText(flow, current, 'broken', entry), /broken:\n {4}cmd: echo new/);
});

test('an entry written in flow style by hand is kept while another entry is replaced', () => {
  const text = "schema: '2.0'\nstages:\n  a: {cmd: echo a}\n  'b c':\n    cmd: old\n";
  const current = parseLockFile(text, 'dvc.lock').value;
  const updated = updateLockText(text, current, 'b c', { cmd: 'new', deps: [], params: {}, outs: [] });
  assert.equal(updated, "schema: '2.0'\nstages:\n  a: {cmd: echo a}\n  b c:\n    cmd: new\n");
});

test('the fast layout reader agrees with the YAML parser on every real lock file and on mlc-written ones', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const texts = realDvcLockFiles().map((file) => readFileSync(file, 'utf8'));
  const written = serializeLockFile(
    new Map<string, StageLockEntry>([
      [
        'a',
        {
          cmd: ['echo a', "it's"],
          deps: [],
          params: { 'params.yaml': { nested: { x: [1, pythonFloat(2)] }, f: pythonFloat(3), s: '1.0', n: null } },
          outs: [],
        },
      ],
      [
        'b@1',
        {
          cmd: `python ${'long '.repeat(30)}`,
          deps: [{ path: 'a b', hash: 'md5', md5: 'x', size: 1, isexec: true }],
          params: {},
          outs: [],
        },
      ],
    ]),
  );
  let fast = 0;
  for (const text of [...texts, written]) {
    const layout = parseLockLayout(text);
    if (!layout) continue;
    fast++;
    assert.deepEqual(layout, parseLockYaml(text, 'dvc.lock').value);
  }
  assert.ok(parseLockLayout(written), 'what mlc writes is always in the fast layout');
  assert.ok(fast >= 14, `only ${fast} files took the fast path`);
});

test('serializeLockFile reuses the text of an entry it formatted, and formats a new entry object of the same stage anew', () => {
  const entry = (md5: string): StageLockEntry => ({
    cmd: 'python train.py',
    deps: [{ path: 'data.csv', hash: 'md5', md5, size: 2 }],
    params: {},
    outs: [],
  });
  const first = entry('a'.repeat(32));
  const other = entry('c'.repeat(32));
  const once = serializeLockFile(
    new Map([
      ['train', first],
      ['test', other],
    ]),
  );
  const byLines = (stages: ReadonlyMap<string, StageLockEntry>) =>
    `${["schema: '2.0'", 'stages:', ...[...stages].flatMap(([name, value]) => serializeLockEntry(name, value))].join('\n')}\n`;
  assert.equal(
    once,
    byLines(
      new Map([
        ['train', first],
        ['test', other],
      ]),
    ),
  );
  assert.equal(
    serializeLockFile(
      new Map([
        ['train', first],
        ['test', other],
      ]),
    ),
    once,
  );
  // A stage that ran again has a new entry: its new hashes are written, the other entry's are kept.
  const rerun = new Map([
    ['train', entry('b'.repeat(32))],
    ['test', other],
  ]);
  const twice = serializeLockFile(rerun);
  assert.equal(twice, byLines(rerun));
  assert.ok(twice.includes('b'.repeat(32)) && !twice.includes('a'.repeat(32)));
  // The same entry object under another name (a renamed stage) is written under that name.
  assert.equal(serializeLockFile(new Map([['renamed', first]])), byLines(new Map([['renamed', first]])));
});
