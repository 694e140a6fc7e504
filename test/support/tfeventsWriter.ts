/**
 * Writes TensorBoard event files from the format spec (FORMATS.md 5), for tests: protobuf
 * encoding of Event / Summary / Value / TensorProto by hand, TFRecord framing with masked CRC-32C.
 * The CRC here is the plain bitwise algorithm, independent of the reader's table-driven one, so
 * the two check each other.
 */
export interface TensorSpec {
  readonly dtype: number;
  readonly floatVal?: readonly number[];
  readonly doubleVal?: readonly number[];
  readonly halfVal?: readonly number[];
  readonly intVal?: readonly number[];
  readonly int64Val?: readonly number[];
  readonly content?: Uint8Array;
  readonly shape?: readonly number[];
  readonly stringVal?: readonly string[];
  /** Write repeated numbers one tag per element instead of packed. */
  readonly unpacked?: boolean;
}

export interface ValueSpec {
  readonly tag: string;
  readonly simpleValue?: number;
  readonly tensor?: TensorSpec;
  readonly pluginName?: string;
}

export interface EventSpec {
  readonly wallTime?: number;
  readonly step?: number;
  readonly fileVersion?: string;
  readonly values?: readonly ValueSpec[];
  /** SessionLog status: 1 START, 2 STOP, 3 CHECKPOINT. */
  readonly sessionStatus?: number;
  /** A big opaque field (graph_def = 4) to exercise records larger than a read chunk. */
  readonly graphDefBytes?: number;
}

export const DataType = { float: 1, double: 2, int32: 3, string: 7, int64: 9, bfloat16: 14, half: 19 } as const;

const encoder = new TextEncoder();

class ProtoWriter {
  private readonly parts: number[] = [];
  varint(value: number): this {
    let big = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    do {
      let byte = Number(big & 0x7fn);
      big >>= 7n;
      if (big > 0n) byte |= 0x80;
      this.parts.push(byte);
    } while (big > 0n);
    return this;
  }
  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const byte of data) this.parts.push(byte);
    return this;
  }
  string(field: number, text: string): this {
    return this.bytes(field, encoder.encode(text));
  }
  double(field: number, value: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    return this.raw(this.tag(field, 1), new Uint8Array(view.buffer));
  }
  float(field: number, value: number): this {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    return this.raw(this.tag(field, 5), new Uint8Array(view.buffer));
  }
  private raw(self: this, data: Uint8Array): this {
    for (const byte of data) this.parts.push(byte);
    return self;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function packed(values: readonly number[], write: (writer: ProtoWriter, value: number) => void): Uint8Array {
  const writer = new ProtoWriter();
  for (const value of values) write(writer, value);
  return writer.finish();
}

function encodeTensor(tensor: TensorSpec): Uint8Array {
  const writer = new ProtoWriter().tag(1, 0).varint(tensor.dtype);
  if (tensor.shape) {
    const shape = new ProtoWriter();
    for (const size of tensor.shape) shape.bytes(2, new ProtoWriter().tag(1, 0).varint(size).finish());
    writer.bytes(2, shape.finish());
  }
  if (tensor.content) writer.bytes(4, tensor.content);
  const floatBytes = (value: number) => {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    return new Uint8Array(view.buffer);
  };
  const doubleBytes = (value: number) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    return new Uint8Array(view.buffer);
  };
  const repeated = (field: number, values: readonly number[] | undefined, kind: 'float' | 'double' | 'varint') => {
    if (!values) return;
    if (tensor.unpacked) {
      for (const value of values) {
        if (kind === 'float') writer.float(field, value);
        else if (kind === 'double') writer.double(field, value);
        else writer.tag(field, 0).varint(value);
      }
      return;
    }
    writer.bytes(
      field,
      kind === 'varint'
        ? packed(values, (inner, value) => inner.varint(value))
        : Uint8Array.from(values.flatMap((value) => [...(kind === 'float' ? floatBytes(value) : doubleBytes(value))])),
    );
  };
  repeated(5, tensor.floatVal, 'float');
  repeated(6, tensor.doubleVal, 'double');
  repeated(7, tensor.intVal, 'varint');
  repeated(10, tensor.int64Val, 'varint');
  repeated(13, tensor.halfVal, 'varint');
  for (const text of tensor.stringVal ?? []) writer.string(8, text);
  return writer.finish();
}

function encodeValue(value: ValueSpec): Uint8Array {
  const writer = new ProtoWriter().string(1, value.tag);
  if (value.simpleValue !== undefined) writer.float(2, value.simpleValue);
  if (value.tensor) writer.bytes(8, encodeTensor(value.tensor));
  if (value.pluginName !== undefined) {
    writer.bytes(9, new ProtoWriter().bytes(1, new ProtoWriter().string(1, value.pluginName).finish()).finish());
  }
  return writer.finish();
}

export function encodeEvent(event: EventSpec): Uint8Array {
  const writer = new ProtoWriter();
  if (event.wallTime !== undefined) writer.double(1, event.wallTime);
  if (event.step !== undefined && event.step !== 0) writer.tag(2, 0).varint(event.step);
  if (event.fileVersion !== undefined) writer.string(3, event.fileVersion);
  if (event.graphDefBytes) writer.bytes(4, new Uint8Array(event.graphDefBytes).fill(7));
  if (event.values) {
    const summary = new ProtoWriter();
    for (const value of event.values) summary.bytes(1, encodeValue(value));
    writer.bytes(5, summary.finish());
  }
  if (event.sessionStatus !== undefined)
    writer.bytes(7, new ProtoWriter().tag(1, 0).varint(event.sessionStatus).finish());
  return writer.finish();
}

/** CRC-32C, bit by bit (slow and obviously right). */
export function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function masked(data: Uint8Array): number {
  const crc = referenceCrc32c(data);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(12 + data.length + 4);
  const view = new DataView(record.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, masked(record.subarray(0, 8)), true);
  record.set(data, 12);
  view.setUint32(12 + data.length, masked(data), true);
  return record;
}

/** A whole event file: the `brain.Event:2` version record, then the events. */
export function writeEventFile(events: readonly EventSpec[], options: { withVersion?: boolean } = {}): Uint8Array {
  const records = [
    ...(options.withVersion === false
      ? []
      : [frameRecord(encodeEvent({ wallTime: events[0]?.wallTime ?? 0, fileVersion: 'brain.Event:2' }))]),
    ...events.map((event) => frameRecord(encodeEvent(event))),
  ];
  return concatBytes(records);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Scalar events the way PyTorch's add_scalar writes them (simple_value). */
export function scalarEvents(
  tag: string,
  points: ReadonlyArray<{ step: number; value: number; wallTime?: number }>,
): EventSpec[] {
  return points.map((point) => ({
    wallTime: point.wallTime ?? 1_700_000_000 + point.step,
    step: point.step,
    values: [{ tag, simpleValue: point.value }],
  }));
}
