import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { fingerprint, isUnchanged } from '../../engine/runIndex/createRecordingFileSystem';
import type { FileFingerprint } from '../../engine/runIndex/runIndexModel';
import type { MetricSeries } from '../../engine/runs/model';
import { writeFileAtomicSync } from '../nodeFileSystem';
import { fileStatFromStats } from '../statWithoutStats';

/**
 * Long series cached as raw Float64Arrays under `.mlc/cache/series/`, so reopening a run with a
 * million points costs one file read (a few ms) instead of parsing its text again (~100+ ms). An
 * entry is used only while every file it was read from has the same size, mtime, ctime and inode,
 * and is written only when those stats could vouch for the content (the caller's racy rule,
 * statCanVouch).
 * Layout: "MLCS", uint32 LE header length, header JSON, padding to 8 bytes, then per series its
 * steps, values and timestamps as little-endian float64.
 */
const MAGIC = 'MLCS';
// 2: fingerprints with ctime.
const VERSION = 2;
/** Series shorter than this are cheaper to parse than to cache. */
export const SERIES_CACHE_MIN_POINTS = 50_000;

interface SeriesCacheHeader {
  readonly version: number;
  readonly runId: string;
  readonly names: readonly string[] | null;
  readonly inputs: readonly FileFingerprint[];
  readonly series: ReadonlyArray<{ readonly name: string; readonly length: number }>;
}

export function seriesCachePath(cacheFolder: string, runId: string, names: readonly string[] | undefined): string {
  const key = createHash('sha1')
    .update(`${runId}\n${(names ?? ['*']).join('\n')}`)
    .digest('hex');
  return join(cacheFolder, 'series', `${key}.bin`);
}

/** Fingerprints of the paths a series was read from (a tail's watched files and folders). */
export function fingerprintPaths(paths: readonly string[]): FileFingerprint[] {
  return paths.map((path) => fingerprint(path, statOrUndefined(path)));
}

function statOrUndefined(path: string) {
  const stats = fs.statSync(path, { throwIfNoEntry: false });
  return stats && fileStatFromStats(stats);
}

export function saveSeriesCache(
  path: string,
  runId: string,
  names: readonly string[] | undefined,
  inputs: readonly FileFingerprint[],
  series: Readonly<Record<string, MetricSeries>>,
): void {
  const entries = Object.entries(series);
  const header: SeriesCacheHeader = {
    version: VERSION,
    runId,
    names: names ? [...names] : null,
    inputs,
    series: entries.map(([name, values]) => ({ name, length: values.steps.length })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(8 + headerBytes.length);
  const total = dataStart + entries.reduce((sum, [, values]) => sum + values.steps.length * 24, 0);
  const buffer = Buffer.alloc(total);
  buffer.write(MAGIC, 0, 'latin1');
  buffer.writeUInt32LE(headerBytes.length, 4);
  headerBytes.copy(buffer, 8);
  let offset = dataStart;
  for (const [, values] of entries) {
    for (const array of [values.steps, values.values, values.timestamps]) {
      Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(buffer, offset);
      offset += array.byteLength;
    }
  }
  try {
    writeFileAtomicSync(path, buffer);
  } catch {
    // A read-only workspace only loses the speed-up.
  }
}

/** The cached series, or undefined when absent, unreadable or stale. */
export function loadSeriesCache(path: string, runId: string): Record<string, MetricSeries> | undefined {
  let buffer: Buffer;
  try {
    buffer = fs.readFileSync(path);
  } catch {
    return undefined;
  }
  if (buffer.length < 8 || buffer.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const headerLength = buffer.readUInt32LE(4);
  let header: SeriesCacheHeader;
  try {
    header = JSON.parse(buffer.toString('utf8', 8, 8 + headerLength)) as SeriesCacheHeader;
  } catch {
    return undefined;
  }
  if (header.version !== VERSION || header.runId !== runId) return undefined;
  if (!header.inputs.every((input) => isUnchanged(input, statOrUndefined(input.path)))) return undefined;
  // Copy into a fresh, aligned ArrayBuffer: Buffers from readFileSync may share a pool.
  const data = new Float64Array(new Uint8Array(buffer.subarray(align8(8 + headerLength))).buffer);
  const series: Record<string, MetricSeries> = {};
  let index = 0;
  for (const { name, length } of header.series) {
    if (index + 3 * length > data.length) return undefined;
    series[name] = {
      steps: data.subarray(index, index + length),
      values: data.subarray(index + length, index + 2 * length),
      timestamps: data.subarray(index + 2 * length, index + 3 * length),
    };
    index += 3 * length;
  }
  return series;
}

function align8(value: number): number {
  return Math.ceil(value / 8) * 8;
}
