import { type Problem, problemAt } from '../problems';

/** Keeps a BOM as U+FEFF, as Node's `readFileSync(path, 'utf8')` does, so both readings agree. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** More problems than this for one file say nothing new. */
const maxReported = 20;

/**
 * A pipeline file's bytes as text, with an `invalidEncoding` error at each line holding bytes that
 * are not UTF-8. Decoding alone would turn them into U+FFFD silently, and a command with U+FFFD in
 * it is not the command the author wrote.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): { text: string; problems: Problem[] } {
  const text = decoder.decode(bytes);
  const problems: Problem[] = [];
  // Valid UTF-8 decodes to text without U+FFFD, or the file wrote U+FFFD itself: only then scan.
  if (!text.includes('\uFFFD')) return { text, problems };
  let line = 1;
  let lineStart = 0;
  let reportedLine = 0;
  for (let offset = 0; offset < bytes.length && problems.length < maxReported;) {
    const byte = bytes[offset]!;
    if (byte === 0x0a) {
      line++;
      lineStart = offset + 1;
    }
    const length = sequenceLength(bytes, offset);
    if (length > 0) {
      offset += length;
      continue;
    }
    if (reportedLine !== line) {
      reportedLine = line;
      const hex = byte.toString(16).toUpperCase().padStart(2, '0');
      const message = `Byte 0x${hex} at byte offset ${offset} is not UTF-8 (it would become U+FFFD in the command); save this file as UTF-8.`;
      problems.push(problemAt(file, { line, column: offset - lineStart + 1 }, 'error', 'invalidEncoding', message));
    }
    offset++;
  }
  return { text, problems };
}

/** The length of the valid UTF-8 sequence at `offset` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function sequenceLength(bytes: Uint8Array, offset: number): number {
  const first = bytes[offset]!;
  if (first < 0x80) return 1;
  const continuation = (index: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[offset + index];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (first >= 0xc2 && first <= 0xdf) return continuation(1) ? 2 : 0;
  if (first >= 0xe0 && first <= 0xef) {
    const low = first === 0xe0 ? 0xa0 : 0x80;
    const high = first === 0xed ? 0x9f : 0xbf;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const low = first === 0xf0 ? 0x90 : 0x80;
    const high = first === 0xf4 ? 0x8f : 0xbf;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}
