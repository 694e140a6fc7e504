import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  compareCodePoints,
  pythonJsonString,
  serializeDirManifest,
} from '../../../../src/engine/hashing/serializeDirManifest';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

test('the FORMATS.md worked example serialises as Python json.dumps and hashes to 5369cb52...dir', () => {
  const manifest = serializeDirManifest([
    { md5: '591785b794601e212b260e25925636fd', relpath: 'sub/b.txt' },
    { md5: 'b1946ac92492d2347c6235b4d2611184', relpath: 'a.txt' },
  ]);
  assert.equal(
    manifest,
    '[{"md5": "b1946ac92492d2347c6235b4d2611184", "relpath": "a.txt"}, {"md5": "591785b794601e212b260e25925636fd", "relpath": "sub/b.txt"}]',
  );
  assert.equal(`${md5(manifest)}.dir`, '5369cb520f35f5d77e793cf181884a27.dir');
});

test('an empty directory serialises as [] and hashes to d7517139...dir', () => {
  assert.equal(serializeDirManifest([]), '[]');
  assert.equal(`${md5('[]')}.dir`, 'd751713988987e9331980363e24189ce.dir');
});

test('non-ASCII paths are escaped as \\uXXXX like ensure_ascii, astral characters as surrogate pairs', () => {
  assert.equal(pythonJsonString('déjà/ü.txt'), '"d\\u00e9j\\u00e0/\\u00fc.txt"');
  assert.equal(pythonJsonString('😀'), '"\\ud83d\\ude00"');
  assert.equal(pythonJsonString('a"b\\c\n\t\u0001/'), '"a\\"b\\\\c\\n\\t\\u0001/"');
});

test('entries sort by code point: a.b before a/b, and astral characters after U+FFFF-range BMP ones', () => {
  const order = serializeDirManifest([
    { md5: '1', relpath: 'a/b' },
    { md5: '2', relpath: 'a.b' },
  ]);
  assert.ok(order.indexOf('a.b') < order.indexOf('a/b'));
  assert.ok(compareCodePoints('\u{1F600}', '\uFF21') > 0, 'U+1F600 sorts after U+FF21 in Python');
  const mixed = serializeDirManifest([
    { md5: '1', relpath: '\u{1F600}' },
    { md5: '2', relpath: '\uFF21' },
  ]);
  assert.ok(mixed.indexOf('\\uff21') < mixed.indexOf('\\ud83d'));
});
