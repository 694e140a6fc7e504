import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashCache } from '../../../../src/engine/hashing/hashCache';
import type { FileStat } from '../../../../src/engine/ports';

const stat = (overrides: Partial<FileStat> = {}): FileStat => ({
  kind: 'file',
  size: 6,
  mtimeMs: 1700000000123.4567,
  ctimeMs: 1700000000123.4567,
  ino: 42,
  mode: 0o644,
  ...overrides,
});

test('a cached hash is returned only while inode, mtime, ctime and size are unchanged', () => {
  const cache = new HashCache('/ws');
  cache.store('/ws/a.txt', stat(), { md5: 'aa', size: 6, algorithm: 'md5' });
  assert.deepEqual(cache.lookup('/ws/a.txt', 'md5', stat()), { md5: 'aa', size: 6, algorithm: 'md5' });
  assert.equal(cache.lookup('/ws/a.txt', 'md5', stat({ mtimeMs: 1700000000124 })), undefined);
  assert.equal(
    cache.lookup('/ws/a.txt', 'md5', stat({ ctimeMs: 1700000060000 })),
    undefined,
    'a same-size rewrite whose mtime was put back: only the ctime tells',
  );
  assert.equal(cache.lookup('/ws/a.txt', 'md5', stat({ ino: 43 })), undefined);
  assert.equal(cache.lookup('/ws/a.txt', 'md5', stat({ size: 7 })), undefined);
  assert.equal(cache.lookup('/ws/a.txt', 'md5-dos2unix', stat()), undefined, 'algorithms are cached apart');
});

test('the cache survives serialisation with exact mtimes and ctimes, both algorithms, isexec and outside paths', () => {
  const cache = new HashCache('/ws');
  cache.store('/ws/d/a b.txt', stat({ ctimeMs: 1700000000999.0001 }), { md5: 'aa', size: 6, algorithm: 'md5' });
  cache.store('/ws/d/a b.txt', stat(), { md5: 'bb', size: 6, algorithm: 'md5-dos2unix' });
  cache.store('/elsewhere/run.sh', stat({ ino: 7 }), { md5: 'cc', size: 6, isexec: true, algorithm: 'md5' });
  assert.equal(cache.dirty, true);
  const text = cache.serialize();
  assert.match(text, /^mlc-hash-cache 3\n/);
  assert.match(text, /\td\/a b\.txt\n/, 'paths inside the workspace are stored relative');
  const reloaded = HashCache.parse('/ws', text);
  assert.equal(reloaded.size, 3);
  assert.equal(reloaded.dirty, false);
  assert.equal(reloaded.lookup('/ws/d/a b.txt', 'md5', stat({ ctimeMs: 1700000000999.0001 }))?.md5, 'aa');
  assert.equal(reloaded.lookup('/ws/d/a b.txt', 'md5', stat()), undefined, 'the ctime is read back exactly');
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
  assert.equal(HashCache.parse('/ws', 'mlc-hash-cache 3\nbroken line\n').size, 0);
  const hostile = 'mlc-hash-cache 3\nzz\tNaN\t-1\tx\t\t-\t../../etc/passwd\n\t\t\t\t\t\t\n';
  const cache = HashCache.parse('/ws', hostile);
  assert.equal(cache.lookup('/etc/passwd', 'md5', stat()), undefined);
  assert.equal(cache.lookup('/ws/../../etc/passwd', 'md5', stat({ size: 0, ino: -1 })), undefined, 'NaN never matches');
});

test('formats 1 and 2 (no ctime) load as an empty cache: every file is hashed once more, then kept as format 3', () => {
  for (const header of ['mlc-hash-cache 1', 'mlc-hash-cache 2']) {
    const line = `aa\t6\t42\t${stat().mtimeMs}\t-\ta.txt`;
    const cache = HashCache.parse('/ws', `${header}\n${line}\n`);
    assert.equal(cache.size, 0, header);
    assert.equal(cache.lookup('/ws/a.txt', 'md5', stat()), undefined, header);
    assert.equal(cache.dirty, false, 'nothing to rewrite until a file is hashed');
  }
});
