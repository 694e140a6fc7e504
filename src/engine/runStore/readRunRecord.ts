import { join } from 'pathe';
import { parsePythonJson } from '../params/parsePythonJson';
import type { FileSystem } from '../ports';
import { problemAt, type Parsed } from '../problems';
import { HEARTBEAT_INTERVAL_MS } from './runRecorder';
import { RUN_FILES, type RunRecord } from './runRecord';
import { describeError } from '../engineError';

/**
 * Whether the process that owns a live-looking run still exists. The Node adapter checks the pid
 * on this host; for another host it can only go by the record's heartbeat (`updatedAt`).
 */
export type IsOwnerAlive = (owner: { readonly pid: number; readonly hostname: string }, updatedAt: number) => boolean;

/** Without a process check: alive while the owner keeps rewriting the record (its heartbeat). */
export function isHeartbeatFresh(updatedAt: number, now: number): boolean {
  return now - updatedAt < 3 * HEARTBEAT_INTERVAL_MS;
}

/**
 * Reads `run.json` of one run folder for `mlc show` and the reader. A run that claims to be
 * queued or running but whose owner is gone (kill -9, crash, reboot) is returned as
 * `interrupted`, with its running stages `cancelled`: the file itself is rewritten only by the
 * next `mlc run`, which holds the workspace lock.
 */
export function readRunRecord(
  fs: FileSystem,
  runDirectory: string,
  isOwnerAlive: IsOwnerAlive,
): Parsed<RunRecord | undefined> {
  const path = join(runDirectory, RUN_FILES.record);
  let text: string;
  let record: RunRecord;
  try {
    text = fs.readText(path);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    const message = missing
      ? `${path} does not exist: this folder holds no mlc run record.`
      : `${path} cannot be read (${describeError(error)}); check its permissions.`;
    return {
      value: undefined,
      problems: [problemAt(path, undefined, 'error', missing ? 'runRecordMissing' : 'runRecordUnreadable', message)],
    };
  }
  const damaged = (position: { line: number; column: number } | undefined, what: string) => ({
    value: undefined,
    problems: [
      problemAt(
        path,
        position,
        'error',
        'runRecordUnreadable',
        `${path} ${what}, so the run's status, params and stages are unknown. Restore the file (from git or a backup) or delete the folder ${runDirectory} if the run is not needed.`,
      ),
    ],
  });
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (error) {
    // JSON.parse rarely says where it stopped; the located JSON parser does (only on this path).
    const located = parsePythonJson(text, path).problems[0];
    return damaged(
      located && { line: located.line, column: located.column },
      `is not valid JSON (${describeError(error)})`,
    );
  }
  if (typeof record !== 'object' || record === null || typeof record.id !== 'string' || !Array.isArray(record.stages)) {
    return damaged(undefined, 'is not an mlc run record (no id or stages)');
  }
  const wrongField = misshapenField(record);
  if (wrongField) return damaged(undefined, `is not an mlc run record (${wrongField})`);
  record.params ??= {};
  record.metrics ??= {};
  record.seriesLatest ??= {};
  const isLive = record.status === 'running' || record.status === 'queued';
  if (isLive && record.owner && !isOwnerAlive(record.owner, record.updatedAt ?? record.startedAt)) {
    record.status = 'interrupted';
    record.message ??= `interrupted: its mlc process (pid ${record.owner.pid} on ${record.owner.hostname}) is gone`;
    for (const stage of record.stages) {
      if (stage.status === 'running') stage.status = 'cancelled';
      else if (stage.status === 'pending') stage.status = 'skipped';
    }
  }
  return { value: record, problems: [] };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first field of a parsed run.json whose type is not what mlc writes (a hand edit, a bad
 * merge, a torn copy), said as "`targets` is not a list"; undefined when every field mlc reads has
 * its shape. Optional fields may be absent, never of another type.
 */
function misshapenField(record: RunRecord): string | undefined {
  const fields = record as unknown as Record<string, unknown>;
  const optional = (name: string, ok: (value: unknown) => boolean, what: string) =>
    fields[name] === undefined || ok(fields[name]) ? undefined : `\`${name}\` is not ${what}`;
  const isStage = (stage: unknown) =>
    isPlainObject(stage) && typeof stage.address === 'string' && typeof stage.status === 'string';
  if (!record.stages.every(isStage)) return '`stages` holds an entry without an address and status';
  if (typeof fields.status !== 'string') return '`status` is not a string';
  const targets = fields.targets;
  if (targets === undefined)
    fields.targets = []; // every stage, as a record written without it meant
  else if (!Array.isArray(targets) || !targets.every((target) => typeof target === 'string'))
    return '`targets` is not a list of stage names';
  return (
    optional('startedAt', (value) => typeof value === 'number', 'a number') ??
    optional('endedAt', (value) => typeof value === 'number', 'a number') ??
    optional('updatedAt', (value) => typeof value === 'number', 'a number') ??
    optional('params', isPlainObject, 'a map') ??
    optional('metrics', isPlainObject, 'a map') ??
    optional('seriesLatest', isPlainObject, 'a map') ??
    optional('options', isPlainObject, 'a map') ??
    optional('git', isPlainObject, 'a map') ??
    optional(
      'owner',
      (value) => isPlainObject(value) && typeof value.pid === 'number' && typeof value.hostname === 'string',
      'a map with pid and hostname',
    ) ??
    optional('alerts', (value) => Array.isArray(value) && value.every(isPlainObject), 'a list of alerts')
  );
}
