/**
 * The protobuf wire format, read by hand: TensorBoard's Event, Summary and TensorProto need only
 * varints, fixed 32/64-bit numbers and length-delimited fields, so no protobuf dependency is
 * needed. Malformed input throws a WireFormatError, which the record decoder turns into a problem.
 */
export class WireFormatError extends Error {}

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const TWO_POW_32 = 4294967296;

export class WireReader {
  position: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.position = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.position >= this.end;
  }

  /** An unsigned varint as a number (exact up to 2^53; tags and lengths are far below). */
  varint(): number {
    const { low, high } = this.varint64();
    return (high >>> 0) * TWO_POW_32 + low;
  }

  /** A signed int64 varint (negative steps are 10-byte varints), exact within +-2^53. */
  int64(): number {
    const { low, high } = this.varint64();
    return high * TWO_POW_32 + low;
  }

  private varint64(): { low: number; high: number } {
    let low = 0;
    let high = 0;
    let shift = 0;
    for (let count = 0; count < 10; count++) {
      if (this.position >= this.end) throw new WireFormatError('varint runs past the end of the message');
      const byte = this.bytes[this.position++]!;
      if (shift < 28) low |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        low |= (byte & 0x0f) << 28;
        high |= (byte & 0x7f) >>> 4;
      } else high |= (byte & 0x7f) << (shift - 32);
      shift += 7;
      if ((byte & 0x80) === 0) return { low: low >>> 0, high: high | 0 };
    }
    throw new WireFormatError('varint longer than 10 bytes');
  }

  float32(): number {
    this.need(4);
    const value = this.view.getFloat32(this.position, true);
    this.position += 4;
    return value;
  }

  float64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** Reads a length prefix and returns the [start, end) of the field's bytes, moving past them. */
  lengthDelimited(): { start: number; end: number } {
    const length = this.varint();
    this.need(length);
    const start = this.position;
    this.position += length;
    return { start, end: this.position };
  }

  string(): string {
    const { start, end } = this.lengthDelimited();
    return decoder.decode(this.bytes.subarray(start, end));
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

const decoder = new TextDecoder('utf-8');
