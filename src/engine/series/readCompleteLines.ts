import type { FileSystem } from '../ports';

export interface CompleteLinesResult {
  /** Offset just after the last newline read: where an incremental read resumes. */
  readonly endOffset: number;
  /** True when bytes follow `endOffset` without a newline: a writer is mid-line (a torn line). */
  readonly hasTornTail: boolean;
  /** Lines longer than `maxLineBytes` that were skipped rather than buffered without bound. */
  readonly skippedLongLines: number;
}

export interface CompleteLinesOptions {
  readonly chunkBytes?: number;
  readonly maxLineBytes?: number;
  readonly signal?: AbortSignal;
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8');

/**
 * Reads `[start, end)` of a file in chunks and hands over blocks of complete lines as text (each
 * block ends with a newline). A file is never read whole, so a 2 GB log costs a bounded buffer,
 * and bytes after the last newline are left for the next incremental read. `onBlock` returns
 * false to stop early.
 */
export function readCompleteLines(
  fs: FileSystem,
  path: string,
  start: number,
  end: number,
  onBlock: (text: string) => boolean | void,
  options: CompleteLinesOptions = {},
): CompleteLinesResult {
  return readCompleteLineBytes(fs, path, start, end, (bytes) => onBlock(decoder.decode(bytes)), options);
}

/**
 * readCompleteLines without the decoding: each block of complete lines as the bytes read (a view
 * of the chunk, valid during the call only), for parsers that read numbers from the bytes.
 */
export function readCompleteLineBytes(
  fs: FileSystem,
  path: string,
  start: number,
  end: number,
  onBlock: (bytes: Uint8Array) => boolean | void,
  options: CompleteLinesOptions = {},
): CompleteLinesResult {
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  let position = start;
  let completeEnd = start;
  let carry: Uint8Array | undefined;
  let skippedLongLines = 0;
  let discarding = false;
  while (position < end) {
    if (options.signal?.aborted) break;
    const chunk = fs.readRange(path, position, Math.min(chunkBytes, end - position));
    if (chunk.length === 0) break;
    const chunkStart = position;
    position += chunk.length;
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      if (discarding) continue;
      carry = carry ? joinBytes(carry, chunk) : chunk.slice();
      if (carry.length > maxLineBytes) {
        carry = undefined;
        discarding = true;
        skippedLongLines++;
      }
      continue;
    }
    let head = chunk.subarray(0, lastNewline + 1);
    if (discarding) {
      // The rest of an overlong line runs to the first newline of this chunk: drop it.
      head = head.subarray(head.indexOf(NEWLINE) + 1);
      discarding = false;
    } else if (carry) {
      head = joinBytes(carry, head);
      carry = undefined;
    }
    completeEnd = chunkStart + lastNewline + 1;
    if (head.length > 0 && onBlock(head) === false) {
      return { endOffset: completeEnd, hasTornTail: true, skippedLongLines };
    }
    // The partial line after the last newline is read again with the next chunk rather than
    // carried: copying it in front of that chunk cost a copy of every chunk.
    position = completeEnd;
  }
  return { endOffset: completeEnd, hasTornTail: position > completeEnd, skippedLongLines };
}

function joinBytes(left: Uint8Array, right: Uint8Array): Uint8Array {
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left);
  joined.set(right, left.length);
  return joined;
}

/** Calls `onLine` for each line of a block (without its newline or a CR before it). */
export function forEachLine(text: string, onLine: (line: string) => void): void {
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    onLine(text.slice(start, lineEnd));
    start = end + 1;
  }
}
