/**
 * A file whose mtime or ctime is this close to the moment it was read may still change within the
 * same timestamp tick (coarse file systems tick once a second or two; ext4 every few milliseconds),
 * so a stat taken later could not tell the two versions apart: whatever was learnt from such a
 * read (a parse, a hash, a run index entry, an answer) is used but not kept as proven, as git's
 * index treats a "racily clean" entry. Two seconds covers FAT's 2 s mtime (HFS+ and many network
 * mounts have 1 s) and a little clock skew. Every stat-validated cache of mlc uses this one window.
 */
export const RACY_WINDOW_MS = 2000;
