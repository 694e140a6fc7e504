import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { FileStat } from '../../../../src/engine/ports';
import { DirectoryStats } from '../../../../src/node/hashing/directoryStats';

/** A fake's stat: written once, so its ctime is its mtime unless told otherwise. */
const stat = (ino: number, mtimeMs: number, size: number, mode = 0o100644, ctimeMs = mtimeMs): FileStat => ({
  kind: 'file',
  ino,
  mtimeMs,
  ctimeMs,
  size,
  mode,
});

type Tree = ReadonlyArray<readonly [prefix: string, files: ReadonlyArray<readonly [name: string, stat: FileStat]>]>;

function walked(tree: Tree): DirectoryStats {
  const walk = new DirectoryStats();
  for (const [prefix, files] of tree) {
    for (const [, fileStat] of files) walk.addFile(fileStat);
    walk.endFolder(
      prefix,
      files.map(([name]) => name),
    );
  }
  return walk;
}

const base: Tree = [
  ['', [['a.csv', stat(10, 1_700_000_000_123.456, 4)]]],
  [
    'sub/',
    [
      ['b.csv', stat(11, 1_700_000_000_200.5, 7)],
      ['c.csv', stat(12, 1_700_000_000_300.25, 0)],
    ],
  ],
];

test('the same files with the same stats give the same fingerprint', () => {
  assert.equal(walked(base).fingerprint(), walked(base).fingerprint());
  assert.match(walked(base).fingerprint(), /^[0-9a-f]{32}$/);
});

test('any rewrite (mtime by a microsecond, size, inode, ctime), chmod, rename, move, addition or removal changes the fingerprint', () => {
  const fingerprint = walked(base).fingerprint();
  const variants: Record<string, Tree> = {
    'same size, mtime a microsecond later': [['', [['a.csv', stat(10, 1_700_000_000_123.457, 4)]]], base[1]!],
    'same mtime, another size': [['', [['a.csv', stat(10, 1_700_000_000_123.456, 5)]]], base[1]!],
    'replaced by rename (new inode), same size and mtime': [
      ['', [['a.csv', stat(99, 1_700_000_000_123.456, 4)]]],
      base[1]!,
    ],
    'rewritten with the same size and the mtime put back (only the ctime moved)': [
      ['', [['a.csv', stat(10, 1_700_000_000_123.456, 4, 0o100644, 1_700_000_060_000)]]],
      base[1]!,
    ],
    'made executable': [['', [['a.csv', stat(10, 1_700_000_000_123.456, 4, 0o100755)]]], base[1]!],
    renamed: [['', [['A.csv', stat(10, 1_700_000_000_123.456, 4)]]], base[1]!],
    'moved into sub/ with its stats': [
      ['', []],
      ['sub/', [['a.csv', stat(10, 1_700_000_000_123.456, 4)], ...base[1]![1]]],
    ],
    'a file added': [base[0]!, ['sub/', [...base[1]![1], ['d.csv', stat(13, 1, 1)]]]],
    'a file removed': [base[0]!, ['sub/', [base[1]![1][0]!]]],
    'two names swapped between their stats': [
      base[0]!,
      [
        'sub/',
        [
          ['c.csv', stat(11, 1_700_000_000_200.5, 7)],
          ['b.csv', stat(12, 1_700_000_000_300.25, 0)],
        ],
      ],
    ],
  };
  for (const [change, tree] of Object.entries(variants)) {
    assert.notEqual(walked(tree).fingerprint(), fingerprint, change);
  }
});

test('names cannot run into each other: a folder prefix and a file name are told apart', () => {
  const one = walked([
    ['', [['x', stat(1, 1, 1)]]],
    ['x/', []],
  ]);
  const other = walked([
    ['', []],
    ['x/', [['x', stat(1, 1, 1)]]],
  ]);
  assert.notEqual(one.fingerprint(), other.fingerprint());
});

test('past the numbers buffer (1,024 files) the fingerprint is the md5 of all names and all numbers at once, and the 2,500th file counts', () => {
  const files = Array.from({ length: 2500 }, (_, index) => [`f${index}`, stat(index, index * 1.5, index % 7)] as const);
  const tree: Tree = [
    ['', files.slice(0, 1000)],
    ['deep/er/', files.slice(1000)],
  ];
  const names = createHash('md5')
    .update(
      `/\0${files
        .slice(0, 1000)
        .map(([name]) => name)
        .join('\0')}\0`,
    )
    .update(
      `/deep/er/\0${files
        .slice(1000)
        .map(([name]) => name)
        .join('\0')}\0`,
    );
  const numbers = new Float64Array(
    files.flatMap(([, fileStat]) => [fileStat.ino, fileStat.mtimeMs, fileStat.ctimeMs, fileStat.size, fileStat.mode]),
  );
  const expected = createHash('md5')
    .update(names.digest())
    .update(createHash('md5').update(new Uint8Array(numbers.buffer)).digest())
    .digest('hex');
  assert.equal(walked(tree).fingerprint(), expected);
  const lastChanged: Tree = [
    tree[0]!,
    ['deep/er/', [...files.slice(1000, 2499), ['f2499', stat(2499, 2499 * 1.5, 1)]]],
  ];
  assert.notEqual(walked(lastChanged).fingerprint(), expected);
});

test('newestChangeMs is the latest mtime or ctime of the files added (for the racy rule), -Infinity for none', () => {
  assert.equal(new DirectoryStats().newestChangeMs, -Infinity);
  assert.equal(walked(base).newestChangeMs, 1_700_000_000_300.25);
  const chmodded: Tree = [['', [['a.csv', stat(10, 1_700_000_000_123.456, 4, 0o100755, 1_700_000_009_000)]]], base[1]!];
  assert.equal(walked(chmodded).newestChangeMs, 1_700_000_009_000, 'a ctime later than every mtime');
});
