import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashCache } from '../../../../src/engine/hashing/hashCache';
import type { FileStat } from '../../../../src/engine/ports';

const stat = (overrides: Partial<FileStat> = {}): FileStat => ({
  kind: 'file',
  size: 6,
  mtimeMs: 1700000000123.4567,
  ino: 42,
  mode: 0o644,
  ...overrides,
});

test('a cached hash is returned only while inode, mtime and size are unchanged', () => {
  const cache = new HashCache('/ws');
  cache.store('/ws/a.txt', stat(), { md5: 'aa', size: 6, algorithm: 'md5' });
  assert.deepEqual(cache.lookup('/ws/a.txt', 'md5', stat()), { md5: 'aa', size: 6, algorithm: 'md5' });
  assert.equal(cache.lookup('/ws/a.txt', 'md5', stat({ mtimeMs: 1700000000124 })), undefined);
  assert.equal(cache.lookup('/ws/a.txt', 'md5', stat({ ino: 43 })), undefined);
  assert.equal(cache.lookup('/ws/a.txt', 'md5', stat({ size: 7 })), undefined);
  assert.equal(cache.lookup('/ws/a.txt', 'md5-dos2unix', stat()), undefined, 'algorithms are cached apart');
});

test('the cache survives serialisation with exact mtimes, both algorithms, isexec and outside paths', () => {
  const cache = new HashCache('/ws');
  cache.store('/ws/d/a b.txt', stat(), { md5: 'aa', size: 6, algorithm: 'md5' });
  cache.store('/ws/d/a b.txt', stat(), { md5: 'bb', size: 6, algorithm: 'md5-dos2unix' });
  cache.store('/elsewhere/run.sh', stat({ ino: 7 }), { md5: 'cc', size: 6, isexec: true, algorithm: 'md5' });
  assert.equal(cache.dirty, true);
  const text = cache.serialize();
  assert.match(text, /\td\/a b\.txt\n/, 'paths inside the workspace are stored relative');
  const reloaded = HashCache.parse('/ws', text);
  assert.equal(reloaded.size, 3);
  assert.equal(reloaded.dirty, false);
  assert.equal(reloaded.lookup('/ws/d/a b.txt', 'md5', stat())?.md5, 'aa');
  assert.equal(reloaded.lookup('/ws/d/a b.txt', 'md5-dos2unix', stat())?.md5, 'bb');
  assert.deepEqual(reloaded.lookup('/elsewhere/run.sh', 'md5', stat({ ino: 7 })), {
    md5: 'cc',
    size: 6,
    isexec: true,
    algorithm: 'md5',
  });
});

test('an unreadable or foreign cache file loads as an empty cache', () => {
  assert.equal(HashCache.parse('/ws', '{"json": true}').size, 0);
  assert.equal(HashCache.parse('/ws', 'mlc-hash-cache 1\nbroken line\n').size, 0);
});
