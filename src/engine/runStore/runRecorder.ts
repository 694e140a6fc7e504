import { dirname, join } from 'pathe';
import type { Clock, Disposable, FileSystem, TimerHandle, Timers } from '../ports';
import type { RunStatus } from '../runs/model';
import { createRunId } from './createRunId';
import { formatMetricLines } from './metricsLog';
import type { MetricPoint } from './plotFileTailer';
import { RUN_FILES, RUN_RECORD_SCHEMA, type RunRecord, type StageRunRecord } from './runRecord';
import { describeError, EngineError } from '../engineError';

/** How long state changes may wait before run.json is rewritten (many stages end per second). */
const RECORD_WRITE_DELAY_MS = 250;
/**
 * The coalesced rewrites of run.json (with the lock entries flushed before each) may take about a
 * tenth of the run: the next one waits ten times as long as the last took, from 250 ms up to 2 s
 * (a record of 1,000 stages on a busy machine takes tens of ms to format, write and fsync).
 */
const WRITE_COST_FACTOR = 10;
const MAX_RECORD_WRITE_DELAY_MS = 2000;
/** How long stage output (and events) may wait in memory before it is appended to its file. */
const LOG_FLUSH_DELAY_MS = 100;
const LOG_BUFFER_LIMIT = 64 * 1024;
/** The owner rewrites run.json at least this often, so other hosts can tell a live run from a dead one. */
export const HEARTBEAT_INTERVAL_MS = 60_000;

export type RunRecordInit = Omit<
  RunRecord,
  'schema' | 'id' | 'status' | 'startedAt' | 'updatedAt' | 'endedAt' | 'params' | 'metrics' | 'seriesLatest' | 'stages'
> & { readonly stages: StageRunRecord[] };

export interface RunRecorderOptions {
  readonly id?: string;
  readonly random?: () => number;
  /**
   * Called once when the run folder vanished under the live run (a stage ran `rm -rf .mlc` or
   * `git clean -fdx`) and was recreated; the message says what was lost.
   */
  readonly onFolderRecreated?: (message: string) => void;
  /**
   * Called before every write of run.json, when the record to write has just been taken; the write
   * waits for what it returns. The lock entries of stages that succeeded are queued
   * (createBatchedLockRecorder) and written here first, so run.json never says a stage succeeded
   * that no lock file holds, whenever the process is killed.
   */
  readonly beforeWrite?: () => void | Promise<void>;
  /**
   * A write of run.json in the background failed (the disk is full, the lock entries before it
   * could not be written): told here, since no caller waits for it. The next write tries again,
   * and the run's last write throws.
   */
  readonly onWriteFailed?: (message: string) => void;
}

/** Hears what the run writes as it writes it (the alert monitor's evidence). */
export interface RunActivityListener {
  logLine?(address: string, timestamp: number): void;
  metricPoints?(address: string, points: readonly MetricPoint[]): void;
}

/**
 * Owns one run folder while the run lives: `run.json` (atomic rewrites, coalesced to one per
 * 250 ms or more when writes are slow, immediate for run-level changes; written off the main
 * thread where the file system can, one at a time and in order), `events.jsonl` (appended
 * in groups, as the logs) and `metrics.jsonl` (append-only),
 * and one log per stage with every line prefixed by an ISO timestamp and its stream. A stage may
 * delete the folder under it: the recorder then recreates it and goes on, rather than failing
 * every later stage (the whole record is in memory, only earlier logs and events are lost).
 */
export class RunRecorder {
  private writeTimer: TimerHandle | undefined;
  private logTimer: TimerHandle | undefined;
  private heartbeat: TimerHandle | undefined;
  private readonly logBuffers = new Map<string, string>();
  private logBufferedBytes = 0;
  private bufferedEvents = '';
  private writeDelayMs = RECORD_WRITE_DELAY_MS;
  private stagesByAddress = new Map<string, StageRunRecord>();
  private recreatedFolderMessage: string | undefined;
  private readonly listeners = new Set<RunActivityListener>();
  /** The last write of run.json asked for (settled either way): the next one starts after it. */
  private writing: Promise<void> = Promise.resolve();
  /** A write asked for that has not taken its snapshot yet: a later ask shares it. */
  private queuedWrite: Promise<void> | undefined;

  private constructor(
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly timers: Timers,
    readonly directory: string,
    readonly record: RunRecord,
    private readonly options: RunRecorderOptions,
  ) {}

  /** Creates `<runsDirectory>/<new run id>/` and writes the first run.json (status `running`). */
  static create(
    fs: FileSystem,
    clock: Clock,
    timers: Timers,
    runsDirectory: string,
    init: RunRecordInit,
    options: RunRecorderOptions = {},
  ): RunRecorder {
    const startedAt = clock.now();
    let id = options.id ?? createRunId(startedAt, options.random);
    while (fs.stat(join(runsDirectory, id))) id = createRunId(startedAt, options.random);
    const directory = join(runsDirectory, id);
    fs.makeDirectory(join(directory, RUN_FILES.logs));
    const record: RunRecord = {
      schema: RUN_RECORD_SCHEMA,
      id,
      status: 'running',
      startedAt,
      updatedAt: startedAt,
      params: {},
      metrics: {},
      seriesLatest: {},
      ...init,
    };
    const recorder = new RunRecorder(fs, clock, timers, directory, record, options);
    // Synchronous: the run folder and its first record exist when create returns.
    const writeStarted = clock.now();
    recorder.survivingRemoval(() => fs.writeFileAtomic(join(directory, RUN_FILES.record), recorder.recordText()));
    recorder.noteWriteCost(writeStarted);
    recorder.appendEvent({ type: 'runStarted', stages: init.stages.map((stage) => stage.address) });
    recorder.heartbeat = timers.setInterval(() => recorder.writeSoon(), HEARTBEAT_INTERVAL_MS);
    return recorder;
  }

  get id(): string {
    return this.record.id;
  }

  stage(address: string): StageRunRecord {
    if (this.stagesByAddress.size !== this.record.stages.length) {
      this.stagesByAddress = new Map(this.record.stages.map((stage) => [stage.address, stage]));
    }
    const stage = this.stagesByAddress.get(address);
    if (!stage) throw new EngineError('internal', `Stage ${address} is not part of run ${this.id}.`);
    return stage;
  }

  /** Applies a change to the record and schedules a rewrite of run.json. */
  update(change: (record: RunRecord) => void): void {
    change(this.record);
    this.writeTimer ??= this.timers.setTimeout(() => this.writeSoon(), this.writeDelayMs);
  }

  /**
   * Writes run.json now, not coalesced on the timer: after the write in flight, if any (writes
   * never overtake each other, so the last asked for is what stays on disk). Resolves once the
   * record as it is when the write starts is on disk; rejects when it could not be written.
   */
  writeNow(): Promise<void> {
    this.timers.clear(this.writeTimer);
    this.writeTimer = undefined;
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.writing.then(() => {
      this.queuedWrite = undefined;
      return this.writeRecord();
    });
    this.queuedWrite = write;
    this.writing = write.catch(() => undefined);
    return write;
  }

  /** writeNow for callers that do not wait: a failure is told to `onWriteFailed`. */
  writeSoon(): void {
    this.writeNow().catch((error: unknown) => this.options.onWriteFailed?.(describeError(error)));
  }

  private recordText(): string {
    return `${JSON.stringify(this.record, null, 2)}\n`;
  }

  private async writeRecord(): Promise<void> {
    const started = this.clock.now();
    this.flushEvents();
    this.record.updatedAt = this.clock.now();
    // The record is taken before the lock entries are flushed: every success it states had its
    // entry queued already, so the flush below puts all of them on disk first.
    const text = this.recordText();
    await this.options.beforeWrite?.();
    const path = join(this.directory, RUN_FILES.record);
    await this.survivingRemovalAsync(async () => {
      if (this.fs.writeFileAtomicAsync) await this.fs.writeFileAtomicAsync(path, text);
      else this.fs.writeFileAtomic(path, text);
    });
    this.noteWriteCost(started);
  }

  /** The next coalesced rewrite waits ten times what this one took (see WRITE_COST_FACTOR). */
  private noteWriteCost(startedAt: number): void {
    const tookMs = this.clock.now() - startedAt;
    this.writeDelayMs = Math.min(
      MAX_RECORD_WRITE_DELAY_MS,
      Math.max(RECORD_WRITE_DELAY_MS, WRITE_COST_FACTOR * tookMs),
    );
  }

  /** Queues one line of events.jsonl: appended with the logs (within 100 ms), before run.json, at the end. */
  appendEvent(event: { readonly type: string } & Record<string, unknown>): void {
    this.bufferedEvents += `${JSON.stringify({ time: this.clock.now(), ...event })}\n`;
    this.logTimer ??= this.timers.setTimeout(() => this.flushLogs(), LOG_FLUSH_DELAY_MS);
  }

  private flushEvents(): void {
    if (this.bufferedEvents === '') return;
    const lines = this.bufferedEvents;
    this.bufferedEvents = '';
    this.survivingRemoval(() => this.fs.appendFile(join(this.directory, RUN_FILES.events), lines));
  }

  /** Set once the run folder had to be recreated: what was lost, for the run's final message. */
  get folderRecreated(): string | undefined {
    return this.recreatedFolderMessage;
  }

  /**
   * Runs one write; when it fails because the run folder is gone, recreates the folder (and
   * run.json from memory) and writes again. Any other failure (disk full) is thrown as before.
   */
  private survivingRemoval(write: () => void): void {
    try {
      write();
      return;
    } catch (error) {
      if (this.fs.stat(this.directory)?.kind === 'directory') throw error;
    }
    this.recreateFolder();
    write();
  }

  /** survivingRemoval for a write off the main thread. */
  private async survivingRemovalAsync(write: () => Promise<void>): Promise<void> {
    try {
      await write();
      return;
    } catch (error) {
      if (this.fs.stat(this.directory)?.kind === 'directory') throw error;
    }
    this.recreateFolder();
    await write();
  }

  private recreateFolder(): void {
    this.fs.makeDirectory(join(this.directory, RUN_FILES.logs));
    if (this.recreatedFolderMessage === undefined) {
      this.recreatedFolderMessage = `the run folder ${this.directory} was deleted while the run was live (did a stage remove ${dirname(dirname(this.directory))}?); mlc recreated it, but the logs and events written before that are lost`;
      this.options.onFolderRecreated?.(this.recreatedFolderMessage);
    }
    const recordPath = join(this.directory, RUN_FILES.record);
    if (!this.fs.stat(recordPath)) this.fs.writeFileAtomic(recordPath, this.recordText());
  }

  listen(listener: RunActivityListener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Buffers one output line of a stage for its log (flushed within 100 ms). */
  logLine(address: string, stream: 'stdout' | 'stderr', line: string, timestamp: number): void {
    const text = `${new Date(timestamp).toISOString()} ${stream} ${line}\n`;
    this.logBuffers.set(address, (this.logBuffers.get(address) ?? '') + text);
    this.logBufferedBytes += text.length;
    if (this.logBufferedBytes > LOG_BUFFER_LIMIT) this.flushLogs();
    else this.logTimer ??= this.timers.setTimeout(() => this.flushLogs(), LOG_FLUSH_DELAY_MS);
    for (const listener of this.listeners) listener.logLine?.(address, timestamp);
  }

  flushLogs(): void {
    this.timers.clear(this.logTimer);
    this.logTimer = undefined;
    this.flushEvents();
    for (const [address, text] of this.logBuffers) {
      const path = join(this.directory, this.stage(address).logFile);
      this.survivingRemoval(() => this.fs.appendFile(path, text));
    }
    this.logBuffers.clear();
    this.logBufferedBytes = 0;
  }

  appendMetricPoints(address: string, points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    const lines = formatMetricLines(address, points);
    this.survivingRemoval(() => this.fs.appendFile(join(this.directory, RUN_FILES.metrics), lines));
    for (const point of points) this.record.seriesLatest[point.name] = point.value;
    for (const listener of this.listeners) listener.metricPoints?.(address, points);
  }

  /**
   * Ends the run: stops the heartbeat and every pending timer first (so a failing write can never
   * keep the process alive), flushes logs, records the final status. Resolves once run.json holds
   * it (after every earlier write); rejects when it could not be written.
   */
  async finish(status: RunStatus, message?: string): Promise<void> {
    this.timers.clear(this.heartbeat);
    this.heartbeat = undefined;
    this.timers.clear(this.writeTimer);
    this.writeTimer = undefined;
    this.record.status = status;
    this.record.endedAt = this.clock.now();
    // The buffered logs and events first: a write that finds the run folder deleted recreates it,
    // and the final message must say so.
    this.flushLogs();
    const messages = [message, this.recreatedFolderMessage].filter((part) => part !== undefined);
    if (messages.length > 0) this.record.message = messages.join('; ');
    this.appendEvent({ type: 'runFinished', status });
    this.flushLogs();
    await this.writeNow();
  }
}
