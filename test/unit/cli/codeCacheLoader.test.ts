import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { buildSync } from 'esbuild';
import { cliEntryPoints } from '../../../scripts/cliEntryPoints.mjs';
import { makeTempDir, removeWhenProcessExits } from '../../support/tempDir';
import { repoRoot } from '../../support/mlcCli';

// dist/cli.js (src/cli/cliEntry.ts) runs dist/cli.bundle.js through V8's code cache. These tests
// build that loader as the build does, put a small bundle beside it and start real processes:
// whatever the cache file holds, the bundle that runs is the one on disk.

const loaderFolder = removeWhenProcessExits(makeTempDir('mlc-code-cache-loader-'));
buildSync({
  entryPoints: { cli: join(repoRoot, cliEntryPoints.cli) },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outdir: loaderFolder,
  logLevel: 'warning',
});

/** A bundle that says which version of itself ran, and what CommonJS gave it. */
function bundleSource(marker: string): string {
  return [
    `const { basename } = require('node:path');`,
    `const exportsAreThis = this === exports && module.exports === exports;`,
    `function describe() { return { marker: '${marker}', file: basename(__filename), dir: __dirname, exports: exportsAreThis }; }`,
    `process.stdout.write(JSON.stringify(describe()) + '\\n');`,
    '',
  ].join('\n');
}

function makeDist(t: Parameters<typeof makeTempDir>[1], marker = 'A') {
  const dist = makeTempDir('mlc-code-cache-dist-', t);
  writeFileSync(join(dist, 'cli.js'), readFileSync(join(loaderFolder, 'cli.js')));
  writeFileSync(join(dist, 'cli.bundle.js'), bundleSource(marker));
  const cacheHome = makeTempDir('mlc-code-cache-home-', t);
  return { dist, cacheHome, cache: join(dist, 'cli.bundle.js.v8cache') };
}

function runLoader(
  dist: string,
  cacheHome: string,
  env: Record<string, string> = {},
  options: SpawnSyncOptions = {},
): { marker: string; file: string; dir: string; exports: boolean } {
  const result = spawnSync(process.execPath, [join(dist, 'cli.js')], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env },
    ...options,
  });
  assert.equal(result.status, 0, String(result.stderr));
  return JSON.parse(String(result.stdout)) as ReturnType<typeof runLoader>;
}

const fileIdentity = (path: string) => {
  const stat = statSync(path, { bigint: true });
  return `${stat.ino} ${stat.mtimeNs} ${stat.size}`;
};

/** Header lines and payload of a cache file (`MLC-V8-CACHE 1`, key, md5, V8's bytes). */
function splitCache(bytes: Buffer): { header: string[]; payload: Buffer } {
  const header: string[] = [];
  let start = 0;
  for (let line = 0; line < 3; line++) {
    const end = bytes.indexOf(10, start);
    header.push(bytes.toString('utf8', start, end));
    start = end + 1;
  }
  return { header, payload: bytes.subarray(start) };
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

test('without a cache the bundle runs as a CommonJS module beside the loader, and the cache is written for the next start, which uses it', (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  assert.deepEqual(runLoader(dist, cacheHome), { marker: 'A', file: 'cli.bundle.js', dir: dist, exports: true });
  assert.ok(existsSync(cache), 'the cache is written beside the bundle');
  const written = fileIdentity(cache);
  assert.equal(runLoader(dist, cacheHome).marker, 'A');
  assert.equal(fileIdentity(cache), written, 'an accepted cache is not written again');
});

test('a bundle rewritten with the same length and its mtime put back runs as it is now, not as the cache remembers it', (t) => {
  const { dist, cacheHome, cache } = makeDist(t, 'A');
  runLoader(dist, cacheHome);
  const bundle = join(dist, 'cli.bundle.js');
  const { atime, mtime } = statSync(bundle);
  writeFileSync(bundle, bundleSource('B'));
  utimesSync(bundle, atime, mtime);
  const before = readFileSync(cache);
  assert.equal(runLoader(dist, cacheHome).marker, 'B');
  assert.notDeepEqual(readFileSync(cache), before, 'the stale cache is replaced');
});

test('a corrupt cache (a flipped payload byte, or garbage) is never handed to V8: the bundle runs and the cache is rewritten', (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  runLoader(dist, cacheHome);
  const good = readFileSync(cache);
  const flipped = Buffer.from(good);
  flipped[flipped.length - 20]! ^= 0xff;
  for (const corrupt of [flipped, Buffer.from('not a cache at all'), Buffer.alloc(0)]) {
    writeFileSync(cache, corrupt);
    assert.equal(runLoader(dist, cacheHome).marker, 'A');
    const rewritten = splitCache(readFileSync(cache));
    assert.equal(md5(rewritten.payload), rewritten.header[2], 'a whole, checked cache is back');
  }
});

test('a cache of another Node version, or one V8 rejects, is replaced by one of this Node', (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  runLoader(dist, cacheHome);
  const { header, payload } = splitCache(readFileSync(cache));
  const otherVersion = header[1]!.replace(process.version, 'v0.0.1');
  writeFileSync(cache, Buffer.concat([Buffer.from(`${header[0]}\n${otherVersion}\n${header[2]}\n`), payload]));
  assert.equal(runLoader(dist, cacheHome).marker, 'A');
  assert.equal(splitCache(readFileSync(cache)).header[1], header[1]);

  // The right key and a sound md5, but V8's bytes of another script: V8's own check rejects them.
  const foreign = new Script('(function () { return 1; })').createCachedData();
  writeFileSync(cache, Buffer.concat([Buffer.from(`${header[0]}\n${header[1]}\n${md5(foreign)}\n`), foreign]));
  assert.equal(runLoader(dist, cacheHome).marker, 'A');
  assert.notDeepEqual(splitCache(readFileSync(cache)).payload, foreign);
});

test('a start with other V8 flags keeps a cache of its own: it neither rejects nor rewrites the usual one', (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  runLoader(dist, cacheHome);
  const usual = fileIdentity(cache);
  // A young generation of another size changes V8's flag hash, which V8 checks before a cache.
  const flagged = (env: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, ['--max-semi-space-size=16', join(dist, 'cli.js')], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env },
    });
    assert.equal(result.status, 0, result.stderr);
    return (JSON.parse(result.stdout) as { marker: string }).marker;
  };
  assert.equal(flagged(), 'A');
  const own = readdirSync(dist).filter((name) => /^cli\.bundle\.js\.[0-9a-f]{12}\.v8cache$/.test(name));
  assert.equal(own.length, 1, `its own cache beside the bundle: ${readdirSync(dist).join(', ')}`);
  const ownIdentity = fileIdentity(join(dist, own[0]!));
  assert.equal(flagged(), 'A');
  assert.equal(runLoader(dist, cacheHome).marker, 'A');
  assert.equal(fileIdentity(cache), usual, 'the usual cache is neither rejected nor rewritten');
  assert.equal(fileIdentity(join(dist, own[0]!)), ownIdentity, "nor is the flagged start's");
});

test("writing a cache removes other options' caches and interrupted writes untouched for a week, nothing else", (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  const weekAgo = Date.now() / 1000 - 8 * 24 * 3600;
  const files = {
    staleVariant: 'cli.bundle.js.0123456789ab.v8cache',
    staleTemporary: 'cli.bundle.js.v8cache.4242.tmp',
    staleVariantTemporary: 'cli.bundle.js.0123456789ab.v8cache.77.tmp',
    recentVariant: 'cli.bundle.js.ba9876543210.v8cache',
    // Not mlc's, or not of this form: never touched, however old.
    notOurs: 'notes.v8cache',
    otherBundle: 'other.js.0123456789ab.v8cache',
    oddDigest: 'cli.bundle.js.0123456789abc.v8cache',
  };
  for (const [role, name] of Object.entries(files)) {
    writeFileSync(join(dist, name), 'x');
    if (role !== 'recentVariant') utimesSync(join(dist, name), weekAgo, weekAgo);
  }
  // The usual cache, old too: kept, it is the one every plain start uses.
  runLoader(dist, cacheHome);
  utimesSync(cache, weekAgo, weekAgo);
  // A start with options writes its own cache, and tidies.
  const result = spawnSync(process.execPath, ['--max-semi-space-size=16', join(dist, 'cli.js')], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
  });
  assert.equal(result.status, 0, result.stderr);
  const left = new Set(readdirSync(dist));
  for (const role of ['staleVariant', 'staleTemporary', 'staleVariantTemporary'] as const)
    assert.equal(left.has(files[role]), false, `${role} removed`);
  for (const role of ['recentVariant', 'notOurs', 'otherBundle', 'oddDigest'] as const)
    assert.equal(left.has(files[role]), true, `${role} kept`);
  assert.equal(existsSync(cache), true, 'the usual cache kept');
  const own = [...left].filter((name) => /^cli\.bundle\.js\.[0-9a-f]{12}\.v8cache$/.test(name));
  assert.equal(own.length, 2, `the flagged start's own cache and the recent variant: ${[...left].join(', ')}`);
});

test('a dist folder the user cannot write keeps its cache in the user cache folder instead', (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  // Root writes anywhere: run the loader as nobody then (mode bits are what an install has).
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  for (const folder of [dist, cacheHome]) chmodSync(folder, 0o755);
  chmodSync(cacheHome, 0o777);
  chmodSync(dist, 0o555);
  try {
    assert.equal(runLoader(dist, cacheHome, {}, asNobody).marker, 'A');
    assert.equal(existsSync(cache), false);
    const folder = join(cacheHome, 'mlc', 'code-cache');
    const [written] = readdirSync(folder);
    assert.match(written ?? '', /-cli\.bundle\.js\.v8cache$/);
    const identity = fileIdentity(join(folder, written!));
    assert.equal(runLoader(dist, cacheHome, {}, asNobody).marker, 'A');
    assert.equal(fileIdentity(join(folder, written!)), identity, 'the cache there is used, not rewritten');
  } finally {
    chmodSync(dist, 0o755); // so the folder can be removed
  }
});

test('MLC_CODE_CACHE=0 neither reads nor writes a cache', (t) => {
  const { dist, cacheHome, cache } = makeDist(t);
  assert.equal(runLoader(dist, cacheHome, { MLC_CODE_CACHE: '0' }).marker, 'A');
  assert.equal(existsSync(cache), false);
});

test('the real mlc, built as dist/ is, answers through the loader and leaves its cache', (t) => {
  const dist = makeTempDir('mlc-code-cache-real-', t);
  const entryPoints = Object.fromEntries(
    Object.entries(cliEntryPoints).map(([name, path]) => [name, join(repoRoot, path)]),
  );
  buildSync({
    entryPoints,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: dist,
    external: ['vscode'],
    logLevel: 'warning',
  });
  for (let start = 0; start < 2; start++) {
    const result = spawnSync(process.execPath, [join(dist, 'cli.js'), '--version'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^mlc \d+\.\d+\.\d+\n$/);
  }
  assert.ok(existsSync(join(dist, 'cli.bundle.js.v8cache')));
});
