import { decodeTensorScalar } from './decodeTensorScalar';
import { TagTable } from './tagTable';
import { WireReader, WireType } from './wireReader';

/** One `Summary.Value` reduced to what a scalar chart needs. */
export interface SummaryValue {
  readonly tag: string;
  /** The number, when the value is a scalar (simple_value or a one-element numeric tensor). */
  readonly value: number | undefined;
  /** The plugin named in this value's metadata (sent only with the first value of each tag). */
  readonly pluginName: string | undefined;
  readonly isTensor: boolean;
}

export interface DecodedEvent {
  /** Seconds since the epoch, as written. */
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion: string | undefined;
  /** SessionLog status: 1 START (a restart: newer points are stale), 2 STOP, 3 CHECKPOINT. */
  readonly sessionStatus: number | undefined;
  readonly values: readonly SummaryValue[];
}

/**
 * Decodes an `Event` (event.proto): wall_time=1 double, step=2 int64, file_version=3,
 * summary=5, session_log=7; every other field (graph_def, meta_graph_def, ...) is skipped by its
 * length without being decoded. Throws WireFormatError on malformed bytes.
 */
export function decodeEvent(bytes: Uint8Array, start: number, end: number): DecodedEvent {
  const event = decodeEventInto(bytes, start, end, new EventScratch(new TagTable()));
  const values: SummaryValue[] = [];
  for (let index = 0; index < event.valueCount; index++) {
    values.push({
      tag: event.tagTable.text(event.tagIds[index]!),
      value: event.hasValue[index] ? event.values[index] : undefined,
      pluginName: event.pluginNames[index],
      isTensor: event.isTensor[index]!,
    });
  }
  return {
    wallTime: event.wallTime,
    step: event.step,
    fileVersion: event.fileVersion,
    sessionStatus: event.sessionStatus,
    values,
  };
}

/**
 * A decoded event that is overwritten by the next decode: the values are `valueCount` entries of
 * parallel arrays. Reading a million events allocated a million events, value arrays and values
 * (garbage collection was the main cost of reading); a reader that consumes each event before
 * decoding the next one reuses one of these instead. Tags are ids of `tagTable` (no string per
 * value), and `values` holds only numbers (0 where `hasValue` is false): an array that mixed
 * undefined with doubles would box every double it stores.
 */
export class EventScratch {
  wallTime = 0;
  step = 0;
  fileVersion: string | undefined = undefined;
  sessionStatus: number | undefined = undefined;
  valueCount = 0;
  readonly tagIds: number[] = [];
  readonly values: number[] = [];
  readonly hasValue: boolean[] = [];
  readonly pluginNames: Array<string | undefined> = [];
  readonly isTensor: boolean[] = [];

  constructor(readonly tagTable: TagTable) {}
}

/** decodeEvent without allocating: overwrites and returns `into`. Throws WireFormatError. */
export function decodeEventInto(bytes: Uint8Array, start: number, end: number, into: EventScratch): EventScratch {
  if (decodeSimpleScalarEvent(bytes, start, end, into)) return into;
  return decodeAnyEventInto(bytes, start, end, into);
}

/** The general decoder, which reads every event decodeEventInto can (exported for tests). */
export function decodeAnyEventInto(bytes: Uint8Array, start: number, end: number, into: EventScratch): EventScratch {
  const reader = eventReader.reset(bytes, start, end);
  into.wallTime = 0;
  into.step = 0;
  into.fileVersion = undefined;
  into.sessionStatus = undefined;
  into.valueCount = 0;
  while (!reader.atEnd()) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === WireType.fixed64) into.wallTime = reader.float64();
    else if (field === 2 && wireType === WireType.varint) into.step = reader.int64();
    else if (field === 3 && wireType === WireType.lengthDelimited) into.fileVersion = reader.string();
    else if (field === 5 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      decodeSummary(bytes, reader.fieldStart, reader.fieldEnd, into);
    } else if (field === 7 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      into.sessionStatus = decodeSessionStatus(bytes, reader.fieldStart, reader.fieldEnd);
    } else reader.skip(wireType);
  }
  return into;
}

/** A DataView over the chunk being decoded, made once per chunk (not per record). */
let viewBytes: Uint8Array = new Uint8Array(0);
let view = new DataView(viewBytes.buffer);

function viewOf(bytes: Uint8Array): DataView {
  if (bytes !== viewBytes) {
    viewBytes = bytes;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return view;
}

/**
 * The shape of nearly every event of a scalar log (PyTorch's SummaryWriter, TF1 `tf.summary.scalar`):
 * `wall_time`, a `step` below 2^28 (absent when 0), and a summary of one short `Value { tag,
 * simple_value }`, fields in number order as protobuf writes them, read straight from the bytes
 * with the lengths checked against each other. Returns false, having written nothing, for any
 * other shape (another field, a longer varint, metadata, a tensor), which the general decoder reads.
 */
function decodeSimpleScalarEvent(bytes: Uint8Array, start: number, end: number, into: EventScratch): boolean {
  if (end - start < 16 || bytes[start] !== 0x09 /* wall_time, fixed64 */) return false;
  let position = start + 9;
  let step = 0;
  if (bytes[position] === 0x10 /* step, varint */) {
    position++;
    for (let shift = 0; ; shift += 7) {
      if (shift > 21 || position >= end) return false;
      const byte = bytes[position++]!;
      step |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
  }
  // summary (field 5, 0x2a) > value (field 1, 0x0a) > tag (field 1, 0x0a), one-byte lengths that
  // end exactly at the end of the event, then simple_value (field 2, fixed32: 0x15).
  // Under 128 bytes, so a length byte equal to the bytes left is a whole one-byte varint.
  if (position + 6 > end || end - position - 2 >= 0x80) return false;
  if (bytes[position] !== 0x2a || bytes[position + 1] !== end - position - 2) return false;
  if (bytes[position + 2] !== 0x0a || bytes[position + 3] !== end - position - 4) return false;
  if (bytes[position + 4] !== 0x0a) return false;
  const tagStart = position + 6;
  const tagEnd = tagStart + bytes[position + 5]!;
  if (tagEnd + 5 !== end || bytes[tagEnd] !== 0x15) return false;
  const data = viewOf(bytes);
  into.wallTime = data.getFloat64(start + 1, true);
  into.step = step;
  into.fileVersion = undefined;
  into.sessionStatus = undefined;
  into.valueCount = 1;
  into.tagIds[0] = into.tagTable.idOf(bytes, tagStart, tagEnd);
  into.values[0] = data.getFloat32(tagEnd + 1, true);
  into.hasValue[0] = true;
  into.pluginNames[0] = undefined;
  into.isTensor[0] = false;
  return true;
}

/**
 * One reader per nesting level (Event > Summary > Value), reused for every record: decoding is
 * synchronous and never re-enters a level, and millions of small records made the allocations
 * of per-message readers the main cost.
 */
const EMPTY = new Uint8Array(0);
const eventReader = new WireReader(EMPTY, 0, 0);
const summaryReader = new WireReader(EMPTY, 0, 0);
const valueReader = new WireReader(EMPTY, 0, 0);

function decodeSummary(bytes: Uint8Array, start: number, end: number, into: EventScratch): void {
  const reader = summaryReader.reset(bytes, start, end);
  while (!reader.atEnd()) {
    const tag = reader.varint();
    if (tag === ((1 << 3) | WireType.lengthDelimited)) {
      reader.lengthDelimited();
      decodeValue(bytes, reader.fieldStart, reader.fieldEnd, into);
    } else reader.skip(tag & 7);
  }
}

/** `Summary.Value`: tag=1, simple_value=2 (float32), tensor=8, metadata=9; appended to `into`. */
function decodeValue(bytes: Uint8Array, start: number, end: number, into: EventScratch): void {
  const reader = valueReader.reset(bytes, start, end);
  let tagStart = start;
  let tagEnd = start;
  let value: number | undefined;
  let pluginName: string | undefined;
  let isTensor = false;
  while (!reader.atEnd()) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === 1 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      tagStart = reader.fieldStart;
      tagEnd = reader.fieldEnd;
    } else if (field === 2 && wireType === WireType.fixed32) value = reader.float32();
    else if (field === 8 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      isTensor = true;
      value = decodeTensorScalar(bytes, reader.fieldStart, reader.fieldEnd);
    } else if (field === 9 && wireType === WireType.lengthDelimited) {
      reader.lengthDelimited();
      pluginName = decodePluginName(bytes, reader.fieldStart, reader.fieldEnd);
    } else reader.skip(wireType);
  }
  const index = into.valueCount++;
  into.tagIds[index] = into.tagTable.idOf(bytes, tagStart, tagEnd);
  into.hasValue[index] = value !== undefined;
  into.values[index] = value ?? 0;
  into.pluginNames[index] = pluginName;
  into.isTensor[index] = isTensor;
}

/** `SummaryMetadata.plugin_data=1 { plugin_name=1 }`. */
function decodePluginName(bytes: Uint8Array, start: number, end: number): string | undefined {
  const reader = new WireReader(bytes, start, end);
  let name: string | undefined;
  while (!reader.atEnd()) {
    const key = reader.varint();
    if (key !== ((1 << 3) | WireType.lengthDelimited)) {
      reader.skip(key & 7);
      continue;
    }
    reader.lengthDelimited();
    const inner = new WireReader(bytes, reader.fieldStart, reader.fieldEnd);
    while (!inner.atEnd()) {
      const innerKey = inner.varint();
      if (innerKey === ((1 << 3) | WireType.lengthDelimited)) name = inner.string();
      else inner.skip(innerKey & 7);
    }
  }
  return name;
}

function decodeSessionStatus(bytes: Uint8Array, start: number, end: number): number | undefined {
  const reader = new WireReader(bytes, start, end);
  let status: number | undefined;
  while (!reader.atEnd()) {
    const key = reader.varint();
    if (key === ((1 << 3) | WireType.varint)) status = reader.varint();
    else reader.skip(key & 7);
  }
  return status;
}
