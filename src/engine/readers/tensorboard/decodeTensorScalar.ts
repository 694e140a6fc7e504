import { WireReader, WireType } from './wireReader';

/** TensorFlow DataType values that hold numbers (types.proto); `_REF` variants are +100. */
const DataType = {
  float: 1,
  double: 2,
  int32: 3,
  uint8: 4,
  int16: 5,
  int8: 6,
  int64: 9,
  bool: 10,
  bfloat16: 14,
  uint16: 17,
  half: 19,
  uint32: 22,
  uint64: 23,
} as const;

/**
 * Reads a TensorProto that holds exactly one number: TF2's `tf.summary.scalar` (DT_FLOAT, usually
 * 4 bytes of `tensor_content`), PyTorch's new-style scalars (`float_val`/`double_val`), and
 * leniently the half, bfloat16 and integer types. Undefined for strings, empty or multi-element
 * tensors (text summaries, hparams, histograms), so callers can tell them apart from scalars.
 */
export function decodeTensorScalar(bytes: Uint8Array, start: number, end: number): number | undefined {
  const reader = new WireReader(bytes, start, end);
  let dtype = 0;
  let elementCount = 1;
  let contentStart = -1;
  let contentEnd = -1;
  const numbers: number[] = [];
  while (!reader.atEnd()) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === 1 && wireType === WireType.varint) dtype = reader.varint() % 100;
    else if (field === 2 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      elementCount = countElements(bytes, reader.fieldStart, reader.fieldEnd);
    } else if (field === 4 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      contentStart = reader.fieldStart;
      contentEnd = reader.fieldEnd;
    } else if (isRepeatedNumberField(field)) readRepeated(reader, field, wireType, numbers);
    else reader.skip(wireType);
  }
  if (elementCount !== 1) return undefined;
  if (numbers.length >= 1) return convertRepeated(dtype, numbers[0]!);
  if (contentStart >= 0) return readContent(bytes, contentStart, contentEnd, dtype);
  return undefined;
}

/** float_val=5, double_val=6, int_val=7, int64_val=10, bool_val=11, half_val=13, uint32=16, uint64=17. */
function isRepeatedNumberField(field: number): boolean {
  return (
    field === 5 ||
    field === 6 ||
    field === 7 ||
    field === 10 ||
    field === 11 ||
    field === 13 ||
    field === 16 ||
    field === 17
  );
}

function readOne(reader: WireReader, field: number, wireType: number): number {
  if (field === 5 && wireType === WireType.fixed32) return reader.float32();
  if (field === 6 && wireType === WireType.fixed64) return reader.float64();
  if (wireType === WireType.varint) return field === 10 ? reader.int64() : reader.varint();
  reader.skip(wireType);
  return Number.NaN;
}

/** Repeated numbers come packed (one length-delimited run) or unpacked (one tag each). */
function readRepeated(reader: WireReader, field: number, wireType: number, into: number[]): void {
  if (wireType !== WireType.lengthDelimited) {
    into.push(readOne(reader, field, wireType));
    return;
  }
  reader.lengthDelimited();
  const packed = new WireReader(reader.bytes, reader.fieldStart, reader.fieldEnd);
  const elementWireType = field === 5 ? WireType.fixed32 : field === 6 ? WireType.fixed64 : WireType.varint;
  while (!packed.atEnd()) into.push(readOne(packed, field, elementWireType));
}

function convertRepeated(dtype: number, raw: number): number {
  if (dtype === DataType.half) return halfToNumber(raw & 0xffff);
  if (dtype === DataType.bfloat16) return bfloat16ToNumber(raw & 0xffff);
  if (dtype === DataType.int32 || dtype === DataType.int16 || dtype === DataType.int8) return raw | 0;
  return raw;
}

/** `TensorShapeProto { repeated Dim dim = 2 { int64 size = 1 } }`: the product of the sizes. */
function countElements(bytes: Uint8Array, start: number, end: number): number {
  const reader = new WireReader(bytes, start, end);
  let count = 1;
  while (!reader.atEnd()) {
    const key = reader.varint();
    if (key !== ((2 << 3) | WireType.lengthDelimited)) {
      reader.skip(key & 7);
      continue;
    }
    reader.lengthDelimited();
    const inner = new WireReader(bytes, reader.fieldStart, reader.fieldEnd);
    let size = 0;
    while (!inner.atEnd()) {
      const innerKey = inner.varint();
      if (innerKey === ((1 << 3) | WireType.varint)) size = inner.int64();
      else inner.skip(innerKey & 7);
    }
    count *= size;
  }
  return count;
}

function readContent(bytes: Uint8Array, start: number, end: number, dtype: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, end - start);
  const length = end - start;
  switch (dtype) {
    case DataType.float:
      return length === 4 ? view.getFloat32(0, true) : undefined;
    case DataType.double:
      return length === 8 ? view.getFloat64(0, true) : undefined;
    case DataType.half:
      return length === 2 ? halfToNumber(view.getUint16(0, true)) : undefined;
    case DataType.bfloat16:
      return length === 2 ? bfloat16ToNumber(view.getUint16(0, true)) : undefined;
    case DataType.int32:
      return length === 4 ? view.getInt32(0, true) : undefined;
    case DataType.uint32:
      return length === 4 ? view.getUint32(0, true) : undefined;
    case DataType.int16:
      return length === 2 ? view.getInt16(0, true) : undefined;
    case DataType.uint16:
      return length === 2 ? view.getUint16(0, true) : undefined;
    case DataType.int8:
      return length === 1 ? view.getInt8(0) : undefined;
    case DataType.uint8:
    case DataType.bool:
      return length === 1 ? view.getUint8(0) : undefined;
    case DataType.int64:
      return length === 8 ? Number(view.getBigInt64(0, true)) : undefined;
    case DataType.uint64:
      return length === 8 ? Number(view.getBigUint64(0, true)) : undefined;
    default:
      return undefined;
  }
}

/** IEEE 754 binary16 bits to a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bfloatView = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32. */
export function bfloat16ToNumber(bits: number): number {
  bfloatView.setUint32(0, bits << 16);
  return bfloatView.getFloat32(0);
}
