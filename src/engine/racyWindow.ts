/**
 * A file whose mtime or ctime is this close to the moment it was read may still change within the
 * same timestamp tick (coarse file systems tick once a second or two; ext4 every few milliseconds),
 * so a stat taken later could not tell the two versions apart: whatever was learnt from such a
 * read (a parse, a hash, a run index entry, an answer) is used but not kept as proven, as git's
 * index treats a "racily clean" entry. Two seconds covers FAT's 2 s mtime (HFS+ and many network
 * mounts have 1 s) and a little clock skew. Every stat-validated cache of mlc uses this one window,
 * through `statCanVouch`.
 */
export const RACY_WINDOW_MS = 2000;

/**
 * Whether a stat taken at `takenAtMs` (the clock read just before it) can vouch later for the
 * content its file had then: its mtime and its ctime were both older than the racy window. Only
 * then does an equal stat later prove an equal content; a cache keeps (or trusts) what it learnt
 * from a younger file only after checking the content itself. `changed` is the stat, or the later
 * of its two times when only that is kept (folder fingerprints). The cost: a file changed within
 * the last `windowMs` is read (hashed, parsed, listed) once more by the next check after the window.
 * `windowMs` is lowered only by tests that rewrite files and check again at once.
 */
export function statCanVouch(
  changed: { readonly mtimeMs: number; readonly ctimeMs: number } | number,
  takenAtMs: number,
  windowMs: number = RACY_WINDOW_MS,
): boolean {
  const trustedBefore = takenAtMs - windowMs;
  if (typeof changed === 'number') return changed < trustedBefore;
  return changed.mtimeMs < trustedBefore && changed.ctimeMs < trustedBefore;
}

/** What a stat-validated cache compares of a file: equal, and able to vouch (statCanVouch), it proves the same content. */
export interface FileVersion {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/**
 * Whether two stats are of the same version of a file: same size, mtime, ctime and inode. Only a
 * stat that could vouch for the content when it was taken (statCanVouch) proves it unchanged.
 */
export function isSameFileVersion(known: FileVersion, stat: FileVersion): boolean {
  return (
    known.size === stat.size &&
    known.mtimeMs === stat.mtimeMs &&
    known.ctimeMs === stat.ctimeMs &&
    known.ino === stat.ino
  );
}
