/**
 * DVC 2's legacy `md5-dos2unix` hash normalises CRLF to LF in files it judges to be text
 * (FORMATS.md §1.10). These are the two pure pieces: the text test and the conversion.
 */

/** Bytes DVC's `istextblock` counts as text besides printable ASCII 0x20-0x7E. */
const TEXT_CONTROL_BYTES = new Set([0x0a, 0x0d, 0x09, 0x0c, 0x08]);

/** How many leading bytes DVC inspects to decide whether a file is text. */
export const TEXT_SNIFF_LENGTH = 512;

/** DVC 2 converts 1 MiB chunk by chunk and never joins a CRLF split across two chunks. */
export const DOS2UNIX_CHUNK_SIZE = 1024 * 1024;

/**
 * DVC's `istextblock`: empty is text; any NUL makes it binary; otherwise text when at most 30%
 * of the bytes are outside printable ASCII and \n \r \t \f \b (so non-ASCII UTF-8 counts against).
 */
export function isTextBlock(block: Uint8Array): boolean {
  if (block.length === 0) return true;
  let nonText = 0;
  for (const byte of block) {
    if (byte === 0) return false;
    const isPrintable = byte >= 0x20 && byte <= 0x7e;
    if (!isPrintable && !TEXT_CONTROL_BYTES.has(byte)) nonText++;
  }
  return nonText / block.length <= 0.3;
}

/** Returns the chunk with every `\r\n` replaced by `\n` (the same array when there is none). */
export function dos2unix(chunk: Uint8Array): Uint8Array {
  let first = -1;
  for (let index = 0; index + 1 < chunk.length; index++) {
    if (chunk[index] === 0x0d && chunk[index + 1] === 0x0a) {
      first = index;
      break;
    }
  }
  if (first < 0) return chunk;
  const output = new Uint8Array(chunk.length);
  output.set(chunk.subarray(0, first));
  let written = first;
  for (let index = first; index < chunk.length; index++) {
    const byte = chunk[index]!;
    if (byte === 0x0d && chunk[index + 1] === 0x0a) continue;
    output[written++] = byte;
  }
  return output.subarray(0, written);
}
