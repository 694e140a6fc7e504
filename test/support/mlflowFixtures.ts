/**
 * Writes MLflow stores the way MLflow writes them, for tests and benchmarks: an `mlruns/` file
 * store through the engine's FileSystem port (meta.yaml as PyYAML safe_dump with sorted keys,
 * `<timestamp> <value> <step>` metric lines, value-only params and tags files, the registry's
 * `models/` layout) and `mlflow.db` files made with sql.js from MLflow's real DDL of each schema
 * generation (mlflowSchemaDdl.ts). Deterministic: the same spec gives the same bytes.
 */
import initSqlJs from 'sql.js';
import type { FileSystem } from '../../src/engine/ports';
import { createRandom } from '../../bench/support/createRandom';
import type { MlflowSchemaGeneration } from './mlflowSchemaDdl';
import { mlflowSchemaDdl } from './mlflowSchemaDdl';

export type MlflowStatusName = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
/** `[timestamp, value]` is the legacy line without a step (step 0). */
export type MetricPoint = readonly [timestamp: number, value: number, step: number] | readonly [number, number];

export interface MlflowRunSpec {
  /** 32 lowercase hex. */
  readonly id: string;
  readonly name?: string;
  readonly status?: MlflowStatusName;
  readonly startTime: number;
  readonly endTime?: number | null;
  readonly deleted?: boolean;
  readonly userId?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly metrics?: Readonly<Record<string, readonly MetricPoint[]>>;
}

export interface MlflowExperimentSpec {
  /** A string: file-store ids can be 18-19 digits. SQLite generations need a small integer. */
  readonly id: string;
  readonly name: string;
  readonly deleted?: boolean;
  readonly creationTime?: number;
  readonly runs: readonly MlflowRunSpec[];
}

export interface MlflowModelVersionSpec {
  readonly version: number;
  readonly runId?: string;
  readonly source: string;
  readonly stage?: 'None' | 'Staging' | 'Production' | 'Archived' | 'Deleted_Internal';
  readonly status?: string;
  readonly createdAt: number;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface MlflowModelSpec {
  readonly name: string;
  readonly description?: string;
  readonly createdAt: number;
  readonly updatedAt?: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly aliases?: Readonly<Record<string, number>>;
  readonly versions: readonly MlflowModelVersionSpec[];
}

export interface MlflowStoreSpec {
  readonly experiments: readonly MlflowExperimentSpec[];
  readonly models?: readonly MlflowModelSpec[];
}

export const STATUS_NUMBERS: Readonly<Record<MlflowStatusName, number>> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};

/** Python's `str(float)`: shortest round trip, exponent below 1e-4 and from 1e16, `nan`, `inf`. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(value);
  return fixed.includes('.') || fixed.includes('e') ? fixed : `${fixed}.0`;
}

/** A PyYAML safe_dump scalar: strings single-quoted when YAML would read them as something else. */
function yamlString(value: string): string {
  const plain = /^[A-Za-z_/][\w./:@+-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value);
  return plain ? value : `'${value.replaceAll("'", "''")}'`;
}

function metaYaml(fields: Record<string, string>): string {
  return Object.keys(fields)
    .sort()
    .map((key) => `${key}: ${fields[key]}\n`)
    .join('');
}

function metricLines(points: readonly MetricPoint[]): string {
  return points
    .map((point) =>
      point.length === 3
        ? `${point[0]} ${pythonFloat(point[1])} ${point[2]}\n`
        : `${point[0]} ${pythonFloat(point[1])}\n`,
    )
    .join('');
}

/** Writes `<mlrunsPath>/<exp>/<run>/…` and `<mlrunsPath>/models/…` as MLflow's file stores do. */
export function writeMlflowFileStore(fs: FileSystem, mlrunsPath: string, spec: MlflowStoreSpec): void {
  for (const experiment of spec.experiments) {
    const folder = experiment.deleted ? `${mlrunsPath}/.trash/${experiment.id}` : `${mlrunsPath}/${experiment.id}`;
    const created = experiment.creationTime ?? 1_700_000_000_000;
    fs.writeFileAtomic(
      `${folder}/meta.yaml`,
      metaYaml({
        artifact_location: `file:///home/user/project/mlruns/${experiment.id}`,
        creation_time: String(created),
        experiment_id: `'${experiment.id}'`,
        last_update_time: String(created),
        lifecycle_stage: experiment.deleted ? 'deleted' : 'active',
        name: yamlString(experiment.name),
      }),
    );
    for (const run of experiment.runs) writeFileRun(fs, `${folder}/${run.id}`, experiment, run);
  }
  for (const model of spec.models ?? []) writeFileModel(fs, `${mlrunsPath}/models/${model.name}`, model);
}

function writeFileRun(fs: FileSystem, folder: string, experiment: MlflowExperimentSpec, run: MlflowRunSpec): void {
  const fields: Record<string, string> = {
    artifact_uri: `file:///home/user/project/mlruns/${experiment.id}/${run.id}/artifacts`,
    deleted_time: run.deleted ? String(run.startTime + 1) : 'null',
    end_time: run.endTime === undefined || run.endTime === null ? 'null' : String(run.endTime),
    entry_point_name: "''",
    experiment_id: `'${experiment.id}'`,
    lifecycle_stage: run.deleted ? 'deleted' : 'active',
    run_id: run.id,
    run_uuid: run.id,
    source_name: "''",
    source_type: '4',
    source_version: "''",
    start_time: String(run.startTime),
    status: String(STATUS_NUMBERS[run.status ?? 'FINISHED']),
    tags: '[]',
    user_id: run.userId ?? 'user',
  };
  if (run.name !== undefined) fields.run_name = yamlString(run.name);
  fs.writeFileAtomic(`${folder}/meta.yaml`, metaYaml(fields));
  const tags = { ...(run.name !== undefined ? { 'mlflow.runName': run.name } : {}), ...run.tags };
  for (const [key, value] of Object.entries(tags)) fs.writeFileAtomic(`${folder}/tags/${key}`, value);
  for (const [key, value] of Object.entries(run.params ?? {})) fs.writeFileAtomic(`${folder}/params/${key}`, value);
  for (const [key, points] of Object.entries(run.metrics ?? {}))
    fs.writeFileAtomic(`${folder}/metrics/${key}`, metricLines(points));
}

function writeFileModel(fs: FileSystem, folder: string, model: MlflowModelSpec): void {
  const meta: Record<string, string> = {
    creation_timestamp: String(model.createdAt),
    last_updated_timestamp: String(model.updatedAt ?? model.createdAt),
    name: yamlString(model.name),
    description: model.description === undefined ? 'null' : yamlString(model.description),
  };
  fs.writeFileAtomic(`${folder}/meta.yaml`, metaYaml(meta));
  for (const [key, value] of Object.entries(model.tags ?? {})) fs.writeFileAtomic(`${folder}/tags/${key}`, value);
  for (const [alias, version] of Object.entries(model.aliases ?? {}))
    fs.writeFileAtomic(`${folder}/aliases/${alias}`, String(version));
  for (const version of model.versions) {
    const versionFolder = `${folder}/version-${version.version}`;
    fs.writeFileAtomic(
      `${versionFolder}/meta.yaml`,
      metaYaml({
        creation_timestamp: String(version.createdAt),
        current_stage: version.stage ?? 'None',
        description: version.description === undefined ? "''" : yamlString(version.description),
        last_updated_timestamp: String(version.createdAt),
        name: yamlString(model.name),
        run_id: version.runId ?? "''",
        run_link: "''",
        source: yamlString(version.source),
        status: version.status ?? 'READY',
        status_message: 'null',
        storage_location: yamlString(version.source),
        user_id: "''",
        version: String(version.version),
      }),
    );
    for (const [key, value] of Object.entries(version.tags ?? {}))
      fs.writeFileAtomic(`${versionFolder}/tags/${key}`, value);
  }
}

let sqlJs: Promise<initSqlJs.SqlJsStatic> | undefined;

/** SQLAlchemy's `sanitize_metric_value`: NaN -> (0, is_nan), +/-Inf -> +/-max double. */
function sanitize(value: number): [number, number] {
  if (Number.isNaN(value)) return [0, 1];
  if (value === Number.POSITIVE_INFINITY) return [1.7976931348623157e308, 0];
  if (value === Number.NEGATIVE_INFINITY) return [-1.7976931348623157e308, 0];
  return [value, 0];
}

/** An mlflow.db of one schema generation, filled as MLflow's SQLAlchemy store fills it. */
export async function createMlflowDatabase(
  spec: MlflowStoreSpec,
  generation: MlflowSchemaGeneration,
): Promise<Uint8Array> {
  sqlJs ??= initSqlJs();
  const database = new (await sqlJs).Database();
  try {
    for (const statement of mlflowSchemaDdl(generation)) database.run(statement);
    database.run('INSERT INTO alembic_version VALUES (?)', [generation]);
    const hasExperimentTimes = generation !== 'bd07f7e963c5';
    database.run('BEGIN');
    for (const experiment of spec.experiments) insertExperiment(database, experiment, hasExperimentTimes);
    for (const model of spec.models ?? []) insertModel(database, model, generation);
    database.run('COMMIT');
    return database.export();
  } finally {
    database.close();
  }
}

function insertExperiment(database: initSqlJs.Database, experiment: MlflowExperimentSpec, hasTimes: boolean): void {
  const stage = experiment.deleted ? 'deleted' : 'active';
  const location = `./mlruns/${experiment.id}`;
  if (hasTimes) {
    const created = experiment.creationTime ?? 1_700_000_000_000;
    database.run('INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?)', [
      Number(experiment.id),
      experiment.name,
      location,
      stage,
      created,
      created,
    ]);
  } else {
    database.run('INSERT INTO experiments VALUES (?, ?, ?, ?)', [
      Number(experiment.id),
      experiment.name,
      location,
      stage,
    ]);
  }
  const insertRun = database.prepare(
    'INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertTag = database.prepare('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)');
  const insertParam = database.prepare('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)');
  const insertMetric = database.prepare(
    'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertLatest = database.prepare(
    'INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const run of experiment.runs) {
    insertRun.run([
      run.id,
      run.name ?? '',
      'LOCAL',
      'train.py',
      '',
      run.userId ?? 'user',
      run.status ?? 'FINISHED',
      run.startTime,
      run.endTime ?? null,
      '',
      run.deleted ? 'deleted' : 'active',
      `${location}/${run.id}/artifacts`,
      Number(experiment.id),
    ]);
    const tags = { ...(run.name !== undefined ? { 'mlflow.runName': run.name } : {}), ...run.tags };
    for (const [key, value] of Object.entries(tags)) insertTag.run([key, value, run.id]);
    for (const [key, value] of Object.entries(run.params ?? {})) insertParam.run([key, value, run.id]);
    for (const [key, points] of Object.entries(run.metrics ?? {})) {
      let latest: [number, number, number] | undefined;
      for (const point of points) {
        const step = point.length === 3 ? point[2] : 0;
        const [value, isNan] = sanitize(point[1]);
        insertMetric.run([key, value, point[0], run.id, step, isNan]);
        const candidate: [number, number, number] = [step, point[0], point[1]];
        if (
          !latest ||
          candidate[0] > latest[0] ||
          (candidate[0] === latest[0] &&
            (candidate[1] > latest[1] || (candidate[1] === latest[1] && candidate[2] > latest[2])))
        )
          latest = candidate;
      }
      if (latest) {
        const [value, isNan] = sanitize(latest[2]);
        insertLatest.run([key, value, latest[1], latest[0], isNan, run.id]);
      }
    }
  }
  for (const statement of [insertRun, insertTag, insertParam, insertMetric, insertLatest]) statement.free();
}

function insertModel(database: initSqlJs.Database, model: MlflowModelSpec, generation: MlflowSchemaGeneration): void {
  database.run(
    'INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)',
    [model.name, model.createdAt, model.updatedAt ?? model.createdAt, model.description ?? null],
  );
  for (const [key, value] of Object.entries(model.tags ?? {})) {
    database.run('INSERT INTO registered_model_tags (key, value, name) VALUES (?, ?, ?)', [key, value, model.name]);
  }
  const hasStorage = generation !== 'bd07f7e963c5';
  for (const version of model.versions) {
    const columns =
      'name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link';
    const values = [
      model.name,
      version.version,
      version.createdAt,
      version.createdAt,
      version.description ?? null,
      null,
      version.stage ?? 'None',
      version.source,
      version.runId ?? null,
      version.status ?? 'READY',
      null,
      null,
    ];
    if (hasStorage)
      database.run(
        `INSERT INTO model_versions (${columns}, storage_location) VALUES (${values.map(() => '?').join(', ')}, ?)`,
        [...values, version.source],
      );
    else database.run(`INSERT INTO model_versions (${columns}) VALUES (${values.map(() => '?').join(', ')})`, values);
    for (const [key, value] of Object.entries(version.tags ?? {})) {
      database.run('INSERT INTO model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)', [
        key,
        value,
        model.name,
        version.version,
      ]);
    }
  }
  if (generation === 'bd07f7e963c5') return; // aliases arrived in MLflow 2.3
  for (const [alias, version] of Object.entries(model.aliases ?? {})) {
    database.run('INSERT INTO registered_model_aliases (alias, version, name) VALUES (?, ?, ?)', [
      alias,
      version,
      model.name,
    ]);
  }
}

export interface GeneratedStoreOptions {
  readonly runs: number;
  readonly params?: number;
  readonly metrics?: number;
  readonly points?: number;
  readonly experiments?: number;
  readonly seed?: number;
}

/** A store of `runs` finished runs with `params` params, `metrics` metrics of `points` points each. */
export function generateMlflowStoreSpec(options: GeneratedStoreOptions): MlflowStoreSpec {
  const random = createRandom(options.seed ?? 20_240_601);
  const experimentCount = options.experiments ?? 3;
  const runsByExperiment: MlflowRunSpec[][] = Array.from({ length: experimentCount }, () => []);
  const start = 1_700_000_000_000;
  for (let index = 0; index < options.runs; index++) {
    const startTime = start + index * 60_000;
    const params: Record<string, string> = {};
    for (let param = 0; param < (options.params ?? 10); param++)
      params[`param_${param}`] = pythonFloat(random.float(0, 1));
    const metrics: Record<string, MetricPoint[]> = {};
    for (let metric = 0; metric < (options.metrics ?? 10); metric++) {
      metrics[metric % 2 === 0 ? `train/metric_${metric}` : `metric_${metric}`] = Array.from(
        { length: options.points ?? 3 },
        (_, step): MetricPoint => [startTime + step * 1000, random.float(0, 1), step],
      );
    }
    runsByExperiment[index % experimentCount]!.push({
      id: random.hex(32),
      name: `run-${index}`,
      status: 'FINISHED',
      startTime,
      endTime: startTime + 30_000,
      params,
      tags: { 'mlflow.user': 'user', 'mlflow.source.git.commit': random.hex(40) },
      metrics,
    });
  }
  return {
    experiments: runsByExperiment.map((runs, index) => ({
      id: String(index),
      name: index === 0 ? 'Default' : `experiment-${index}`,
      runs,
    })),
  };
}
