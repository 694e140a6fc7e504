import type { DirectoryEntry } from '../ports';

/**
 * The order in which the run index walks a workspace, and keeps its folders in the cache: depth
 * first, each folder's sub-folders by name (UTF-16 code units). Sorted, so that a build can read
 * the previous index as a stream beside the walk and match each folder with its cached line by
 * moving forward only, as git merges its sorted index with the work tree: nothing of the previous
 * index is held but the folder at hand.
 */
export function sortedByName(entries: readonly DirectoryEntry[]): DirectoryEntry[] {
  return [...entries].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
}

const SLASH = 47;

/**
 * Compares two folders' paths in walk order: a folder comes before everything below it, and
 * siblings come by name. That is a comparison of the paths where `/` sorts before any other
 * character (`a/x` before `a-b`, as `a` is walked, with its sub-folders, before `a-b`).
 */
export function compareWalkOrder(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const leftCode = left.charCodeAt(index);
    const rightCode = right.charCodeAt(index);
    if (leftCode === rightCode) continue;
    if (leftCode === SLASH) return -1;
    if (rightCode === SLASH) return 1;
    return leftCode - rightCode;
  }
  return left.length - right.length;
}
