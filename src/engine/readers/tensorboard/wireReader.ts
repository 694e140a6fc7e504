/**
 * The protobuf wire format, read by hand: TensorBoard's Event, Summary and TensorProto need only
 * varints, fixed 32/64-bit numbers and length-delimited fields, so no protobuf dependency is
 * needed. The reader allocates nothing per field (event files hold millions of tiny records, and
 * garbage collection was the main cost): results of length-delimited reads are left in
 * `fieldStart`/`fieldEnd`, and small strings (tags) are decoded once and reused.
 * Malformed input throws a WireFormatError, which the record decoder turns into a problem.
 */
export class WireFormatError extends Error {}

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const TWO_POW_32 = 4294967296;
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchFloat32 = new Float32Array(scratch);
const scratchFloat64 = new Float64Array(scratch);
const decoder = new TextDecoder('utf-8');

export class WireReader {
  position: number;
  end: number;
  /** The [start, end) of the field read by the last `lengthDelimited()`. */
  fieldStart = 0;
  fieldEnd = 0;
  private low = 0;
  private high = 0;

  constructor(
    public bytes: Uint8Array,
    start: number,
    end: number,
  ) {
    this.position = start;
    this.end = end;
  }

  /** Re-targets the reader at other bytes, so hot decoders can keep one reader per nesting level. */
  reset(bytes: Uint8Array, start: number, end: number): this {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
    return this;
  }

  atEnd(): boolean {
    return this.position >= this.end;
  }

  /** An unsigned varint as a number (exact up to 2^53; tags and lengths are far below). */
  varint(): number {
    const bytes = this.bytes;
    const position = this.position;
    // Fast path: tags, lengths and small values fit in one byte.
    if (position < this.end && bytes[position]! < 0x80) {
      this.position = position + 1;
      return bytes[position]!;
    }
    this.varint64();
    return (this.high >>> 0) * TWO_POW_32 + this.low;
  }

  /** A signed int64 varint (negative steps are 10-byte varints), exact within +-2^53. */
  int64(): number {
    this.varint64();
    return this.high * TWO_POW_32 + this.low;
  }

  private varint64(): void {
    let low = 0;
    let high = 0;
    let shift = 0;
    const bytes = this.bytes;
    for (let count = 0; count < 10; count++) {
      if (this.position >= this.end) throw new WireFormatError('varint runs past the end of the message');
      const byte = bytes[this.position++]!;
      if (shift < 28) low |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        low |= (byte & 0x0f) << 28;
        high |= (byte & 0x7f) >>> 4;
      } else high |= (byte & 0x7f) << (shift - 32);
      shift += 7;
      if ((byte & 0x80) === 0) {
        this.low = low >>> 0;
        this.high = high | 0;
        return;
      }
    }
    throw new WireFormatError('varint longer than 10 bytes');
  }

  float32(): number {
    this.need(4);
    const bytes = this.bytes;
    const position = this.position;
    scratchBytes[0] = bytes[position]!;
    scratchBytes[1] = bytes[position + 1]!;
    scratchBytes[2] = bytes[position + 2]!;
    scratchBytes[3] = bytes[position + 3]!;
    this.position = position + 4;
    return scratchFloat32[0]!;
  }

  float64(): number {
    this.need(8);
    const bytes = this.bytes;
    const position = this.position;
    for (let index = 0; index < 8; index++) scratchBytes[index] = bytes[position + index]!;
    this.position = position + 8;
    return scratchFloat64[0]!;
  }

  /** Reads a length prefix and moves past the field; its bytes are [fieldStart, fieldEnd). */
  lengthDelimited(): void {
    const length = this.varint();
    this.need(length);
    this.fieldStart = this.position;
    this.position += length;
    this.fieldEnd = this.position;
  }

  string(): string {
    this.lengthDelimited();
    return decodeShortString(this.bytes, this.fieldStart, this.fieldEnd);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varint64();
        return;
      case WireType.fixed64:
        this.need(8);
        this.position += 8;
        return;
      case WireType.lengthDelimited:
        this.lengthDelimited();
        return;
      case WireType.fixed32:
        this.need(4);
        this.position += 4;
        return;
      default:
        throw new WireFormatError(`unsupported wire type ${wireType}`);
    }
  }

  private need(length: number): void {
    if (this.position + length > this.end) throw new WireFormatError('field runs past the end of the message');
  }
}

/**
 * Tags repeat millions of times in an event file: strings up to 64 bytes are looked up by a hash
 * of their bytes (and compared byte for byte) instead of being decoded each time.
 */
const stringCache = new Map<number, Array<{ bytes: Uint8Array; text: string }>>();
let cachedStrings = 0;

let recent: Array<{ bytes: Uint8Array; text: string }> = [];

function sameBytes(entry: Uint8Array, bytes: Uint8Array, start: number, length: number): boolean {
  if (entry.length !== length) return false;
  for (let index = length - 1; index >= 0; index--) if (entry[index] !== bytes[start + index]) return false;
  return true;
}

export function decodeShortString(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length > 64) return decoder.decode(bytes.subarray(start, end));
  // A run logs a handful of tags over and over: the last few are compared before hashing.
  for (const entry of recent) if (sameBytes(entry.bytes, bytes, start, length)) return entry.text;
  let hash = 0x811c9dc5 ^ length;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
  const bucket = stringCache.get(hash);
  const found = bucket?.find((entry) => sameBytes(entry.bytes, bytes, start, length));
  if (found) {
    remember(found);
    return found.text;
  }
  const text = decoder.decode(bytes.subarray(start, end));
  if (cachedStrings > 100_000) {
    stringCache.clear();
    cachedStrings = 0;
  }
  const entry = { bytes: bytes.slice(start, end), text };
  if (bucket) bucket.push(entry);
  else stringCache.set(hash, [entry]);
  cachedStrings++;
  remember(entry);
  return text;
}

function remember(entry: { bytes: Uint8Array; text: string }): void {
  recent = [entry, ...recent.filter((other) => other !== entry)].slice(0, 8);
}
