import type { FileStat, FileSystem } from '../ports';

export interface FileEdges {
  readonly stat: FileStat;
  /** The first complete lines (up to `headBytes`). */
  readonly head: string;
  /**
   * The last complete lines (up to `tailBytes`), starting at a line boundary; equals the whole
   * file after the head when the file is small (then `isWhole` is true).
   */
  readonly tail: string;
  readonly isWhole: boolean;
  /** The file ends without a newline: a writer is mid-line, or died there. */
  readonly endsTorn: boolean;
}

const decoder = new TextDecoder('utf-8');

/**
 * Reads only the beginning and the end of a line-oriented file: enough for a run's summary
 * (header, first timestamp, latest values) at a bounded cost however long the file grows.
 * Undefined when the file does not exist or cannot be read.
 */
export function readFileEdges(
  fs: FileSystem,
  path: string,
  headBytes = 16 * 1024,
  tailBytes = 256 * 1024,
): FileEdges | undefined {
  let stat: FileStat | undefined;
  try {
    stat = fs.stat(path);
    if (!stat || stat.kind !== 'file') return undefined;
    const isWhole = stat.size <= headBytes + tailBytes;
    if (isWhole) {
      const bytes = fs.readRange(path, 0, stat.size);
      const lastNewline = bytes.lastIndexOf(0x0a);
      const complete = decoder.decode(bytes.subarray(0, lastNewline + 1));
      const firstNewline = complete.indexOf('\n');
      return {
        stat,
        head: complete.slice(0, firstNewline + 1),
        tail: complete.slice(firstNewline + 1),
        isWhole,
        endsTorn: lastNewline + 1 < bytes.length,
      };
    }
    const headRaw = fs.readRange(path, 0, headBytes);
    const head = decoder.decode(headRaw.subarray(0, headRaw.lastIndexOf(0x0a) + 1));
    const tailStart = stat.size - tailBytes;
    const tailRaw = fs.readRange(path, tailStart, tailBytes);
    const firstNewline = tailRaw.indexOf(0x0a);
    const lastNewline = tailRaw.lastIndexOf(0x0a);
    const tail = firstNewline < 0 ? '' : decoder.decode(tailRaw.subarray(firstNewline + 1, lastNewline + 1));
    return { stat, head, tail, isWhole, endsTorn: lastNewline + 1 < tailRaw.length };
  } catch {
    return undefined;
  }
}
