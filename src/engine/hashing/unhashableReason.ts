import type { FileStat } from '../ports';

/**
 * Why a path that exists cannot be a stage's dep or out: a FIFO, socket or device has no content
 * to hash (reading a FIFO blocks until a writer comes, /dev/zero never ends), so the hasher skips
 * it and a lock entry for it would hold no hash, reading as deleted at every status. Undefined for
 * files, folders and missing paths (those have their own rules).
 */
export function unhashableReason(stat: FileStat | undefined): string | undefined {
  return stat?.kind === 'other' ? `${NOT_A_FILE_OR_FOLDER}, so mlc cannot hash it` : undefined;
}

/** What such a path is, as run refusals and status reasons say it. */
export const NOT_A_FILE_OR_FOLDER = 'is not a regular file or folder (a FIFO, socket or device)';
