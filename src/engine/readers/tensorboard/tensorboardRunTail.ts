import { join } from 'pathe';
import type { Clock, FileSystem } from '../../ports';
import { type Problem, problemAt } from '../../problems';
import type { ReaderContext } from '../../runs/model';
import { checkFileCursor, createFileCursor, type FileCursor } from '../../series/fileCursor';
import { createSeriesBuilder, type SeriesBuilder } from '../../series/seriesBuilder';
import { createSeriesTailDelivery } from '../../series/seriesTailDelivery';
import type { SeriesTail, SeriesTailUpdate } from '../../series/seriesTail';
import { decodeEventInto, EventScratch } from './decodeEvent';
import { readTfRecords } from './readTfRecords';
import { TagTable } from './tagTable';
import { isEventFileName } from './watchesTensorboardEvents';
import { WireFormatError } from './wireReader';

export interface TensorboardTailOptions {
  /** Only these tags (all when absent). */
  readonly names?: readonly string[];
  /** Files bigger than this are read from their last `maxBytesPerFile` bytes only (resynchronised). */
  readonly maxBytesPerFile?: number;
  /** Lets an unchanged event file be polled with a stat alone (see FileCursor.settled). */
  readonly clock?: Clock;
}

/** What a tail knows about the run as a whole, for its summary. */
export interface TensorboardRunFacts {
  readonly firstWallTimeMs: number | undefined;
  readonly lastWallTimeMs: number | undefined;
  readonly newestMtimeMs: number | undefined;
  readonly endsInsideRecord: boolean;
  readonly eventFiles: readonly string[];
  /** Bytes in the event files when they were last read. */
  readonly totalBytes: number;
  /** Records that decoded as an Event: none means TensorBoard would ignore the files. */
  readonly decodedEvents: number;
  readonly latest: Readonly<Record<string, number>>;
}

/** A tensor value is a scalar when its tag's plugin is `scalars` or was never named. */
function isScalarPlugin(plugin: string | undefined): boolean {
  return plugin === undefined || plugin === 'scalars';
}

/** Follows the event files of one run folder (several files are merged in name order). */
export function createTensorboardRunTail(
  folder: string,
  options: TensorboardTailOptions = {},
): SeriesTail & { facts(): TensorboardRunFacts } {
  const wanted = options.names ? new Set(options.names) : undefined;
  const maxBytes = options.maxBytesPerFile ?? Number.POSITIVE_INFINITY;
  let cursors = new Map<string, { cursor: FileCursor; endsInsideRecord: boolean }>();
  let builders = new Map<string, SeriesBuilder>();
  let delivery = createSeriesTailDelivery();
  let deliveredCounts = new Map<string, number>();
  // Events are consumed before the next one is decoded (decoding is synchronous): one scratch.
  // Its tag ids index the per-tag state below, so a value costs no lookup by tag string.
  const scratch = new EventScratch(new TagTable());
  /** By tag id: the plugin first named for the tag. */
  let pluginById: Array<string | undefined> = [];
  /** By tag id: the tag's series, null when the tag is not wanted, undefined until its first scalar. */
  let builderById: Array<SeriesBuilder | null | undefined> = [];
  // [first, last] positive wall time (NaN before one): a double kept in a closure variable is
  // boxed, so updating two per event allocated two numbers per event.
  const wallTimeRange = new Float64Array([Number.NaN, Number.NaN]);
  let purgedDelivered = false;
  let fileOrder: string[] = [];
  let decodedEvents = 0;

  const clear = () => {
    cursors = new Map();
    builders = new Map();
    deliveredCounts = new Map();
    pluginById = [];
    builderById = [];
    wallTimeRange.fill(Number.NaN);
    fileOrder = [];
    decodedEvents = 0;
  };

  const purge = (keep: (step: number) => boolean, tags: Iterable<string>) => {
    for (const tag of tags) {
      const builder = builders.get(tag);
      if (!builder) continue;
      const before = builder.length;
      builder.retain(keep);
      if (builder.length < before && builder.length < (deliveredCounts.get(tag) ?? 0)) purgedDelivered = true;
    }
  };

  /** The series of a tag seen for the first time since the last reset, or null when it is not wanted. */
  const builderFor = (tag: string): SeriesBuilder | null => {
    if (wanted && !wanted.has(tag)) return null;
    let builder = builders.get(tag);
    if (!builder) {
      builder = createSeriesBuilder();
      builders.set(tag, builder);
    }
    return builder;
  };

  const onRecord =
    (file: string, problems: Problem[]) => (bytes: Uint8Array, start: number, end: number, offset: number) => {
      let event: EventScratch;
      try {
        event = decodeEventInto(bytes, start, end, scratch);
      } catch (error) {
        if (!(error instanceof WireFormatError)) throw error;
        problems.push(
          problemAt(
            file,
            { line: 1, column: offset + 1 },
            'warning',
            'tensorboardEventUndecodable',
            `The event record at byte ${offset} is not a valid Event protobuf (${error.message}); it was skipped.`,
          ),
        );
        return;
      }
      decodedEvents++;
      const wallTime = event.wallTime;
      const step = event.step;
      if (wallTime > 0) {
        // NaN compares false: the first positive wall time sets both ends.
        if (!(wallTime >= wallTimeRange[0]!)) wallTimeRange[0] = wallTime;
        if (!(wallTime <= wallTimeRange[1]!)) wallTimeRange[1] = wallTime;
      }
      if (event.sessionStatus === 1) {
        // A restart (SessionLog START, PyTorch purge_step): points at or after this step are stale.
        purge((kept) => kept < step, builders.keys());
      }
      for (let index = 0; index < event.valueCount; index++) {
        const tagId = event.tagIds[index]!;
        const pluginName = event.pluginNames[index];
        if (pluginName !== undefined && pluginById[tagId] === undefined) pluginById[tagId] = pluginName;
        if (!event.hasValue[index]) continue;
        // simple_value (what PyTorch writes) is a scalar whatever the plugin.
        if (event.isTensor[index] && !isScalarPlugin(pluginById[tagId])) continue;
        let builder = builderById[tagId];
        if (builder === null) continue;
        if (builder === undefined) {
          builder = builderFor(event.tagTable.text(tagId));
          builderById[tagId] = builder;
          if (builder === null) continue;
        }
        const value = event.values[index]!;
        const lastStep = builder.lastStep();
        if (lastStep !== undefined && step < lastStep) {
          // An out-of-order step for a tag means its run restarted from a checkpoint (TensorBoard's
          // out-of-order purge, per tag so that tags logged on different step scales survive).
          purge((kept) => kept < step, [event.tagTable.text(tagId)]);
        }
        builder.push(step, value, wallTime * 1000);
      }
    };

  const readFile = (
    fs: FileSystem,
    path: string,
    from: number,
    problems: Problem[],
    signal: AbortSignal | undefined,
    takenAtMs: number | undefined,
  ) => {
    const stat = fs.stat(path);
    if (!stat) return;
    let start = from;
    if (stat.size - start > maxBytes) {
      start = stat.size - maxBytes;
      problems.push(
        problemAt(
          path,
          undefined,
          'warning',
          'fileTooLarge',
          `The event file is ${stat.size} bytes; only its last ${maxBytes} bytes were read.`,
        ),
      );
    }
    const scan = readTfRecords(fs, path, start, stat.size, onRecord(path, problems), { signal });
    for (const issue of scan.issues) {
      // Starting inside a big file lands mid-record: that first skip is expected, not corruption.
      if (issue.code === 'tfrecordLengthCrcMismatch' && issue.offset === start && start !== from) continue;
      problems.push(
        problemAt(
          path,
          { line: 1, column: issue.offset + 1 },
          'warning',
          issue.code,
          issue.code === 'tfrecordDataCrcMismatch'
            ? `The record at byte ${issue.offset} fails its CRC-32C check (corrupt data); it was skipped.`
            : `Bytes ${issue.offset}-${issue.offset + issue.skipped} are not valid TFRecord framing (length CRC mismatch); they were skipped and reading resumed at the next valid record.`,
        ),
      );
    }
    cursors.set(path, {
      cursor: createFileCursor(fs, path, scan.resumeOffset, stat, takenAtMs),
      endsInsideRecord: scan.endsInsideRecord,
    });
  };

  const listEventFiles = (fs: FileSystem): string[] => {
    try {
      return fs
        .readDirectory(folder)
        .filter((entry) => entry.kind === 'file' && isEventFileName(entry.name))
        .map((entry) => join(folder, entry.name))
        .sort();
    } catch {
      return [];
    }
  };

  const poll = ({ fs, signal }: ReaderContext): SeriesTailUpdate => {
    const problems: Problem[] = [];
    // Before any stat of this poll: the racy rule's moment for the cursors it leaves.
    const takenAtMs = options.clock?.now();
    const files = listEventFiles(fs);
    const isPrefixKept = fileOrder.every((file, index) => files[index] === file);
    const changes = new Map<string, string>();
    let reset = !isPrefixKept;
    for (const file of reset ? [] : fileOrder) {
      const known = cursors.get(file);
      const checked = known ? checkFileCursor(fs, known.cursor, takenAtMs) : undefined;
      const change = checked?.change ?? 'replaced';
      if (known && checked?.cursor) known.cursor = checked.cursor;
      changes.set(file, change);
      if (change === 'replaced' || change === 'missing') reset = true;
    }
    const wasEmpty = fileOrder.length === 0;
    if (reset) clear();
    purgedDelivered = false;
    for (const file of files) {
      const known = cursors.get(file);
      if (!known) readFile(fs, file, 0, problems, signal, takenAtMs);
      else if (changes.get(file) === 'appended') readFile(fs, file, known.cursor.offset, problems, signal, takenAtMs);
    }
    fileOrder = files;
    if (reset && !wasEmpty) delivery = createSeriesTailDelivery();
    const delivered = delivery.deliver(builders, (reset && !wasEmpty) || purgedDelivered);
    for (const [tag, builder] of builders) deliveredCounts.set(tag, builder.length);
    return { reset: delivered.reset || (reset && !wasEmpty), series: delivered.series, problems };
  };

  return {
    poll,
    watchedPaths: () => [folder, ...fileOrder],
    facts() {
      let newest: number | undefined;
      let endsInsideRecord = false;
      let totalBytes = 0;
      for (const { cursor, endsInsideRecord: torn } of cursors.values()) {
        newest = newest === undefined ? cursor.mtimeMs : Math.max(newest, cursor.mtimeMs);
        endsInsideRecord ||= torn;
        totalBytes += cursor.size;
      }
      const latest: Record<string, number> = {};
      for (const [tag, builder] of builders) {
        const value = builder.lastValue();
        if (value !== undefined) latest[tag] = value;
      }
      return {
        firstWallTimeMs: Number.isNaN(wallTimeRange[0]) ? undefined : wallTimeRange[0]! * 1000,
        lastWallTimeMs: Number.isNaN(wallTimeRange[1]) ? undefined : wallTimeRange[1]! * 1000,
        newestMtimeMs: newest,
        endsInsideRecord,
        eventFiles: fileOrder,
        totalBytes,
        decodedEvents,
        latest,
      };
    },
  };
}
