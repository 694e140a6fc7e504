/**
 * Reads a parser's common rows straight from their bytes (see LineTableParser.feedBytes): one
 * row per call, proven to give what the parser's `feed` would give that line's text, or -1 to
 * hand the line back to `feed` (a header, a quote, an odd width, a cell it does not read).
 */
export interface ByteRowReader {
  /** Reads the row at `start`; returns the offset after its newline, or -1 to have its text read. */
  read(bytes: Uint8Array, start: number): number;
}

const NEWLINE = 0x0a;
/** Decodes a block as readCompleteLines does: a BOM at its start is dropped. */
const blockDecoder = new TextDecoder('utf-8');
/** Decodes a line inside a block: a BOM there is text, as in the decoded block. */
const lineDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A block's text, as readCompleteLines hands it to `feed`. */
export function decodeBlock(bytes: Uint8Array): string {
  return blockDecoder.decode(bytes);
}

/**
 * Feeds a block's lines (complete, the last may lack its newline) to `currentRows()` line by
 * line, and each line it hands back to `feedText` as the text decoding the whole block would give
 * that line (only those lines are decoded). Returns the number of lines, as `feed` does.
 * `currentRows` is asked again after each line of text: a header read there changes the layout.
 */
export function feedLineBytes(
  bytes: Uint8Array,
  firstLine: number,
  currentRows: () => ByteRowReader | undefined,
  feedText: (text: string, line: number) => unknown,
): number {
  let rows = currentRows();
  let line = firstLine;
  const length = bytes.length;
  let start = 0;
  while (start < length) {
    let next = rows ? rows.read(bytes, start) : -1;
    if (next < 0) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0) end = length;
      feedText((start === 0 ? blockDecoder : lineDecoder).decode(bytes.subarray(start, end)), line);
      rows = currentRows();
      next = end + 1;
    }
    start = next;
    line++;
  }
  return line - firstLine;
}
