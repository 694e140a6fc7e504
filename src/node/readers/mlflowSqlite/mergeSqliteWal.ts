/**
 * Applies the committed frames of a SQLite write-ahead log to a copy of the database image, the
 * way SQLite itself reads a database in WAL mode: frames are valid while their salts match the
 * WAL header and their cumulative checksums hold; the pages of a transaction count only once its
 * commit frame (non-zero "database size") is reached. An uncommitted tail is ignored, so the
 * result is always a state some writer committed. Nothing is written back.
 * Format: https://www.sqlite.org/fileformat2.html#the_write_ahead_log
 */
export interface WalMergeResult {
  /** The database image with committed WAL pages applied (the input when nothing applied). */
  readonly bytes: Uint8Array;
  /** Committed frames applied. */
  readonly frames: number;
  /** Why the WAL could not be used at all (bad header); undefined when it was read. */
  readonly invalidReason?: string;
}

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MAGIC_LITTLE_ENDIAN = 0x377f0682;
const MAGIC_BIG_ENDIAN = 0x377f0683;

export function mergeSqliteWal(database: Uint8Array, wal: Uint8Array): WalMergeResult {
  if (wal.length < WAL_HEADER_BYTES) return { bytes: database, frames: 0, invalidReason: 'shorter than its header' };
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== MAGIC_LITTLE_ENDIAN && magic !== MAGIC_BIG_ENDIAN) {
    return { bytes: database, frames: 0, invalidReason: 'bad magic number' };
  }
  const bigEndian = magic === MAGIC_BIG_ENDIAN;
  const rawPageSize = view.getUint32(8);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const isPowerOfTwo = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
  if (!isPowerOfTwo) return { bytes: database, frames: 0, invalidReason: `bad page size ${rawPageSize}` };
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let checksum = walChecksum(view, 0, 24, bigEndian, [0, 0]);
  if (checksum[0] !== view.getUint32(24) || checksum[1] !== view.getUint32(28)) {
    return { bytes: database, frames: 0, invalidReason: 'header checksum mismatch' };
  }

  const committed = new Map<number, number>(); // page number -> frame offset
  const pending = new Map<number, number>();
  let committedPages = 0;
  let frames = 0;
  let pendingFrames = 0;
  const frameBytes = FRAME_HEADER_BYTES + pageSize;
  for (let offset = WAL_HEADER_BYTES; offset + frameBytes <= wal.length; offset += frameBytes) {
    if (view.getUint32(offset + 8) !== salt1 || view.getUint32(offset + 12) !== salt2) break;
    checksum = walChecksum(view, offset, 8, bigEndian, checksum);
    checksum = walChecksum(view, offset + FRAME_HEADER_BYTES, pageSize, bigEndian, checksum);
    if (checksum[0] !== view.getUint32(offset + 16) || checksum[1] !== view.getUint32(offset + 20)) break;
    const pageNumber = view.getUint32(offset);
    if (pageNumber === 0) break;
    pending.set(pageNumber, offset + FRAME_HEADER_BYTES);
    pendingFrames++;
    const databasePagesAfterCommit = view.getUint32(offset + 4);
    if (databasePagesAfterCommit !== 0) {
      for (const [page, pageOffset] of pending) committed.set(page, pageOffset);
      pending.clear();
      committedPages = databasePagesAfterCommit;
      frames += pendingFrames;
      pendingFrames = 0;
    }
  }
  if (committed.size === 0) return { bytes: database, frames: 0 };
  const merged = new Uint8Array(committedPages * pageSize);
  merged.set(database.subarray(0, Math.min(database.length, merged.length)));
  for (const [page, pageOffset] of committed) {
    if (page > committedPages) continue;
    merged.set(wal.subarray(pageOffset, pageOffset + pageSize), (page - 1) * pageSize);
  }
  return { bytes: merged, frames };
}

/** SQLite's WAL checksum: pairs of 32-bit words folded into two running sums (mod 2^32). */
function walChecksum(
  view: DataView,
  offset: number,
  length: number,
  bigEndian: boolean,
  previous: readonly [number, number] | number[],
): [number, number] {
  let sum1 = previous[0]!;
  let sum2 = previous[1]!;
  const littleEndian = !bigEndian;
  for (let index = offset; index < offset + length; index += 8) {
    sum1 = (sum1 + view.getUint32(index, littleEndian) + sum2) >>> 0;
    sum2 = (sum2 + view.getUint32(index + 4, littleEndian) + sum1) >>> 0;
  }
  return [sum1, sum2];
}
