import { basename, join } from 'pathe';

/*
 * pathe's join and basename normalise the whole path again on every call: a first index of
 * 10,000 runs asks them ~100,000 times (each folder of the walk, each reader's detect and list),
 * about a tenth of its time (bench/README, "Stop 30"). The folders the walk hands out are already
 * normalised, so these take the one step needed, and leave anything else to pathe.
 */

/**
 * What pathe's normalize would change, in one pass: a backslash, an empty, `.` or `..` segment, a
 * trailing `/` (but `/` itself), or a `:` (a drive letter: Windows paths always take pathe's way).
 */
const NOT_NORMALISED = /\\|\/\/|(?:^|\/)\.\.?(?:\/|$)|.\/$|:/;

const isNormalised = (path: string) => path !== '' && !NOT_NORMALISED.test(path);

/** A name a folder listing gives: one segment, no separator or `:`, not `.` or `..`. */
const NOT_AN_ENTRY_NAME = /^\.{0,2}$|[/\\:]/;

/** `join(folder, name)` for a name from a listing: the same string, without normalising again. */
export function childPath(folder: string, name: string): string {
  if (!isNormalised(folder) || NOT_AN_ENTRY_NAME.test(name)) return join(folder, name);
  return folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`;
}

/** `basename(path)`: the same string, without normalising again when the path is normalised. */
export function lastSegment(path: string): string {
  // `/` is pathe's to name.
  if (!isNormalised(path) || path === '/') return basename(path);
  return path.slice(path.lastIndexOf('/') + 1);
}
