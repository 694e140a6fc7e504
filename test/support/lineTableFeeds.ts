import type { LineTableParser } from '../../src/engine/series/textFileTail';

/**
 * Feeds the same bytes to two parsers, one as decoded text (`feed`) and one as bytes
 * (`feedBytes`), in blocks ending at the given offsets (at line ends, as readCompleteLines cuts
 * them), and returns what each made of them: line counts, every series bit for bit (-0 and NaN
 * compared as bytes) and the problems. Equal results prove the bytes path reads as the text path.
 */
export function feedTextAndBytes(
  fromText: LineTableParser,
  fromBytes: Required<LineTableParser>,
  bytes: Uint8Array,
  blockEnds: readonly number[],
): { readonly text: string; readonly bytes: string } {
  const decoder = new TextDecoder();
  let start = 0;
  let textLine = 1;
  let bytesLine = 1;
  for (const end of blockEnds) {
    textLine += fromText.feed(decoder.decode(bytes.subarray(start, end)), textLine);
    bytesLine += fromBytes.feedBytes(bytes.subarray(start, end), bytesLine);
    start = end;
  }
  return { text: snapshot(fromText, textLine), bytes: snapshot(fromBytes, bytesLine) };
}

/** Block ends at the line ends picked by `cuts` (any numbers), and the end of the bytes. */
export function blockEndsAt(bytes: Uint8Array, cuts: readonly number[]): number[] {
  const lineEnds = [...bytes.keys()].filter((index) => bytes[index] === 10).map((index) => index + 1);
  const ends = lineEnds.length > 0 ? cuts.map((cut) => lineEnds[cut % lineEnds.length]!) : [];
  return [...new Set([...ends, bytes.length])].sort((a, b) => a - b);
}

function snapshot(parser: LineTableParser, lines: number): string {
  const series = [...parser.builders].map(([name, builder]) => {
    const { steps, values, timestamps } = builder.build();
    const hex = (array: Float64Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');
    return [name, hex(steps), hex(values), hex(timestamps)];
  });
  return JSON.stringify({ lines, series, problems: parser.takeProblems() });
}
