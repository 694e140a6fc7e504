import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs a CommonJS bundle (dist/cli.bundle.js) through V8's code cache, so a fresh `mlc` process
 * does not compile its 1.3 MB bundle again (Node 20 has no module.enableCompileCache). The cache
 * is a file mlc owns: beside the bundle (`<bundle>.v8cache`), or, when that folder cannot be
 * written (an installation owned by root), under `$XDG_CACHE_HOME/mlc/code-cache/`.
 *
 * A cache file is `MLC-V8-CACHE 1\n<key>\n<md5 of the payload>\n<payload>`. It is used only when
 * its key names this bundle file exactly as it is now (size, inode, mtime and ctime to the ns:
 * V8's own check compares only the source's length) and this Node (version, arch), and when its
 * payload's md5 matches (V8 does not checksum the payload in release builds: a flipped byte would
 * be executed). V8 then checks the payload itself; a missing, stale, corrupt or rejected cache
 * just means compiling as usual, and a fresh cache is written atomically when the process exits
 * (then it also holds the functions this command compiled lazily). `MLC_CODE_CACHE=0` turns it off.
 */
export function runBundleWithCodeCache(bundlePath: string): void {
  const source = readFileSync(bundlePath, 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const enabled = process.env.MLC_CODE_CACHE !== '0';
  const key = enabled ? cacheKey(bundlePath) : undefined;
  const places = key === undefined ? [] : cachePlaces(bundlePath);
  const cachedData = key === undefined ? undefined : readCache(places, key);
  const script = new Script(wrapped, { filename: bundlePath, ...(cachedData ? { cachedData } : {}) });
  if (key !== undefined && (!cachedData || script.cachedDataRejected)) {
    // At exit, not now: the cache then also holds every function this command compiled lazily.
    process.once('exit', () => writeCache(places, key, () => script.createCachedData()));
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath));
}

const MAGIC = 'MLC-V8-CACHE 1';

const md5Hex = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex');

function cacheKey(bundlePath: string): string | undefined {
  try {
    const stat = statSync(bundlePath, { bigint: true });
    return [process.version, process.arch, stat.size, stat.ino, stat.mtimeNs, stat.ctimeNs].join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Where the cache may be: beside the bundle first, then the user's cache folder. A process started
 * with Node or V8 options (`node --max-old-space-size=… mlc`, NODE_OPTIONS) has a cache file of its
 * own, named by them: V8 rejects a cache made under other flags, and one shared file would be
 * rewritten by every start that alternates between the two (a profiling run, an editor's spawn).
 */
export function cachePlaces(bundlePath: string): string[] {
  const options = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');
  const variant = options === '' ? '' : `.${md5Hex(options).slice(0, 12)}`;
  const name = `${basename(bundlePath)}${variant}.v8cache`;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const folderKey = md5Hex(dirname(bundlePath)).slice(0, 16);
  return [join(dirname(bundlePath), name), join(base, 'mlc', 'code-cache', `${folderKey}-${name}`)];
}

function readCache(places: readonly string[], key: string): Buffer | undefined {
  for (const place of places) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(place);
    } catch {
      continue;
    }
    const lines: string[] = [];
    let start = 0;
    for (let line = 0; line < 3; line++) {
      const end = bytes.indexOf(10, start);
      if (end < 0) break;
      lines.push(bytes.toString('utf8', start, end));
      start = end + 1;
    }
    if (lines.length !== 3 || lines[0] !== MAGIC || lines[1] !== key) continue;
    const payload = bytes.subarray(start);
    if (md5Hex(payload) !== lines[2]) continue;
    return payload;
  }
  return undefined;
}

/** The first place that can be written gets the cache, by rename (readers see a whole file or none). */
function writeCache(places: readonly string[], key: string, produce: () => Buffer): void {
  let payload: Buffer;
  try {
    payload = produce();
  } catch {
    return;
  }
  const header = `${MAGIC}\n${key}\n${md5Hex(payload)}\n`;
  const bytes = Buffer.concat([Buffer.from(header), payload]);
  for (const place of places) {
    const temporary = `${place}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(place), { recursive: true });
      writeFileSync(temporary, bytes);
      renameSync(temporary, place);
      removeStaleCaches(place);
      return;
    } catch {
      try {
        unlinkSync(temporary);
      } catch {
        // never written
      }
    }
  }
}

/** A cache of another set of options, or a temporary file, unused this long is removed. */
const STALE_CACHE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Removes, beside a cache just written, the caches of the same bundle for other Node or V8 options
 * (`<bundle>.<digest>.v8cache`) and the temporary files of interrupted writes
 * (`….v8cache.<pid>.tmp`) not written for a week. Each set of options keeps a file of its own,
 * and a developer's profiling runs (options naming a folder) would otherwise leave one each,
 * forever. A variant still in use is written again at its next start. The usual cache (no
 * options) is never removed, and only names of these forms are touched: nothing else there is mlc's.
 */
function removeStaleCaches(written: string): void {
  const folder = dirname(written);
  const name = basename(written);
  // `cli.bundle.js.v8cache` or `cli.bundle.js.<digest>.v8cache`, with the user cache folder's prefix.
  const stem = name.replace(/(\.[0-9a-f]{12})?\.v8cache$/, '');
  const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^${escaped}(\\.[0-9a-f]{12}\\.v8cache|(\\.[0-9a-f]{12})?\\.v8cache\\.\\d+\\.tmp)$`);
  const now = Date.now();
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const other of names) {
    if (other === name || !ours.test(other)) continue;
    try {
      const path = join(folder, other);
      if (now - statSync(path).mtimeMs > STALE_CACHE_MS) unlinkSync(path);
    } catch {
      // gone meanwhile, or not ours to remove: the next write tries again
    }
  }
}
