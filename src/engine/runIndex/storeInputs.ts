import type { FileStat } from '../ports';
import type { FileFingerprint, StoreInputs } from './runIndexModel';

/** The kinds of a present input, by their code in `StoreInputs.stats` (and in the cache). */
export const INPUT_KINDS: readonly Exclude<FileFingerprint['kind'], 'absent'>[] = ['file', 'directory', 'other'];

/** Numbers per present input in `StoreInputs.stats`: kind code, size, mtimeMs, ctimeMs, ino. */
export const STAT_FIELDS = 5;

/**
 * A path as the folder it is in and its name (`/a/b.txt` → `/a`, `b.txt`; `/b` → `/`, `b`), the
 * inverse of `joinInputPath`. Paths of the run index are normalised and absolute.
 */
export function splitInputPath(path: string): [folder: string, name: string] {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return ['', path];
  return [slash === 0 ? '/' : path.slice(0, slash), path.slice(slash + 1)];
}

export function joinInputPath(folder: string, name: string): string {
  if (folder === '') return name;
  return folder.endsWith('/') ? folder + name : `${folder}/${name}`;
}

/** A fresh flat copy: a slice of a longer string would keep the whole string alive in V8. */
function flatCopy(text: string): string {
  // V8 copies slices shorter than 13 characters anyway (no sliced string below that length).
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * Packs the fingerprints a listing recorded into a store's inputs, for one build. With
 * `knownFolder` (an index kept in memory), folder and name strings are shared through the packer:
 * a folder is the walk's own string for it, and every store that looked for `mlc.yaml` or read
 * `metrics.csv` holds the same name string. Without it (each store written out at once), nothing
 * is kept between stores.
 */
export function createInputPacker(knownFolder?: (folder: string) => string | undefined) {
  const folders = new Map<string, string>();
  const names = new Map<string, string>();
  const shared = (table: Map<string, string>, text: string, known?: string) => {
    let kept = table.get(text);
    if (kept === undefined) {
      kept = known ?? flatCopy(text);
      table.set(kept, kept);
    }
    return kept;
  };
  const addPath = (pairs: string[], at: number, path: string) => {
    const [folder, name] = splitInputPath(path);
    pairs[at] = knownFolder ? shared(folders, folder, knownFolder(folder)) : folder;
    pairs[at + 1] = knownFolder ? shared(names, name) : name;
  };
  return (fingerprints: readonly FileFingerprint[]): StoreInputs => {
    let presentCount = 0;
    for (const input of fingerprints) if (input.kind !== 'absent') presentCount++;
    // Arrays of their final length, filled by index: the numbers are held unboxed in one double
    // array, with no slack left by growth.
    const present = new Array<string>(presentCount * 2);
    const stats = new Array<number>(presentCount * STAT_FIELDS);
    const absent = new Array<string>((fingerprints.length - presentCount) * 2);
    let presentAt = 0;
    let absentAt = 0;
    for (const input of fingerprints) {
      if (input.kind === 'absent') {
        addPath(absent, absentAt * 2, input.path);
        absentAt++;
        continue;
      }
      addPath(present, presentAt * 2, input.path);
      const at = presentAt * STAT_FIELDS;
      stats[at] = INPUT_KINDS.indexOf(input.kind);
      stats[at + 1] = input.size;
      stats[at + 2] = input.mtimeMs;
      stats[at + 3] = input.ctimeMs;
      stats[at + 4] = input.ino;
      presentAt++;
    }
    return { present, stats, absent };
  };
}

/**
 * Whether every input of a store still looks as it did when the store was listed, so its runs can
 * be reused. A present input proves nothing unless `canVouch` says its newer time (mtime or ctime)
 * was older than the racy window of the build that took it (statCanVouch: a same-size rewrite
 * within the same timestamp tick keeps both); then its kind, size (files), mtime, ctime and inode
 * must be the same. An absent input is still absent when `isFolderUnchanged` says its folder has
 * the same entries (its stat did not move), else when a stat finds nothing.
 */
export function areInputsUnchanged(
  inputs: StoreInputs,
  canVouch: (newestChangeMs: number) => boolean,
  statOf: (path: string) => FileStat | undefined,
  isFolderUnchanged: (folder: string) => boolean,
): boolean {
  const { present, stats, absent } = inputs;
  for (let at = 0; at < absent.length; at += 2) {
    const folder = absent[at]!;
    if (!isFolderUnchanged(folder) && statOf(joinInputPath(folder, absent[at + 1]!)) !== undefined) return false;
  }
  for (let index = 0; index * 2 < present.length; index++) {
    const at = index * STAT_FIELDS;
    const mtimeMs = stats[at + 2]!;
    const ctimeMs = stats[at + 3]!;
    if (!canVouch(Math.max(mtimeMs, ctimeMs))) return false;
    const stat = statOf(joinInputPath(present[index * 2]!, present[index * 2 + 1]!));
    if (
      !stat ||
      stat.kind !== INPUT_KINDS[stats[at]!] ||
      (stat.kind !== 'directory' && stat.size !== stats[at + 1]) ||
      stat.mtimeMs !== mtimeMs ||
      stat.ctimeMs !== ctimeMs ||
      stat.ino !== stats[at + 4]
    ) {
      return false;
    }
  }
  return true;
}

/** The inputs as one fingerprint each (present first): for tests and diagnostics, not kept. */
export function inputFingerprints(inputs: StoreInputs): FileFingerprint[] {
  const fingerprints: FileFingerprint[] = [];
  for (let index = 0; index * 2 < inputs.present.length; index++) {
    const at = index * STAT_FIELDS;
    fingerprints.push({
      path: joinInputPath(inputs.present[index * 2]!, inputs.present[index * 2 + 1]!),
      kind: INPUT_KINDS[inputs.stats[at]!] ?? 'other',
      size: inputs.stats[at + 1]!,
      mtimeMs: inputs.stats[at + 2]!,
      ctimeMs: inputs.stats[at + 3]!,
      ino: inputs.stats[at + 4]!,
    });
  }
  for (let at = 0; at < inputs.absent.length; at += 2) {
    const path = joinInputPath(inputs.absent[at]!, inputs.absent[at + 1]!);
    fingerprints.push({ path, kind: 'absent', size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 });
  }
  return fingerprints;
}
