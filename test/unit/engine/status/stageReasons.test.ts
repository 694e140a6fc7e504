import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'pathe';
import { stagePath, stageReasons } from '../../../../src/engine/status/stageReasons';
import { aStage } from '../../../support/builders';

test("stagePath is pathe's join for every kind of path, plain or not, below any wdir", () => {
  const wdirs = ['/work/ws', '/work/ws/sub', '/', '/work/ws/', '/work/./ws', '/work/x/../ws', '/work//ws', 'C:/ws'];
  const paths = [
    'o/s1',
    'data.csv',
    'models/',
    './data.csv',
    '../shared/data.csv',
    'a/./b',
    'a/../b',
    'a//b',
    '/abs/path',
    '',
    '.',
    '..',
    '~/data',
    'a\\b',
    'dir.with.dots/file',
    '...',
  ];
  for (const wdir of wdirs) {
    for (const path of paths) assert.equal(stagePath(wdir, path), join(wdir, path), `${wdir} + ${path}`);
  }
});

test('stageReasons: each path once in the order written, the later of two lock entries for a path, with few paths or many, hashes known at once or computed', async () => {
  const current: Record<string, string> = {};
  const hashOf = (known: boolean) => (path: string, algorithm: 'md5' | 'md5-dos2unix') => {
    const md5 = current[path];
    const answer = md5 === undefined ? undefined : { md5, size: 1, algorithm };
    return known ? answer : Promise.resolve(answer);
  };
  const noFile = () => undefined;
  for (const count of [3, 12]) {
    const names = Array.from({ length: count }, (_, index) => `d${index}`);
    for (const name of names) current[`/ws/${name}`] = `hash-${name}`;
    current['/ws/out'] = 'hash-out';
    // Written twice: d1, and d0 again at the end; d0 is modified (its later lock entry says so), the last dep is gone.
    const locked = {
      cmd: 'run',
      deps: [
        ...names.map((path) => ({ path, md5: `hash-${path}`, hash: 'md5' })),
        { path: 'd0', md5: 'old', hash: 'md5' },
      ],
      params: {},
      outs: [{ path: 'out', md5: 'hash-out', hash: 'md5' }],
    };
    delete current[`/ws/${names.at(-1)}`];
    const withDeps = aStage({ name: 'train', cmd: 'run', wdir: '/ws', deps: [...names, 'd1', 'd0'], outs: ['out'] });
    for (const known of [true, false]) {
      assert.deepEqual(
        await stageReasons(withDeps, locked, hashOf(known), noFile, () => undefined),
        ['dep d0 modified', `dep ${names.at(-1)} deleted`],
        `${count} deps, hashes ${known ? 'known at once' : 'computed'}`,
      );
    }
  }
});
