import type { MlflowModelVersion, MlflowRegisteredModel } from '../../../engine/readers/mlflow/registryModel';
import { DELETED_STAGE, linkAliases } from '../../../engine/readers/mlflow/registryModel';
import { withoutEmpty } from '../../../engine/readers/mlflow/withoutEmpty';
import type { SqlDatabase } from './loadSqlJs';
import type { MlflowSqliteSchema } from './mlflowSqliteSchema';

type Value = number | string | Uint8Array | null | undefined;

const asText = (value: Value) =>
  value === null || value === undefined || value === '' ? undefined : typeof value === 'string' ? value : String(value);
const asTime = (value: Value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function tagMap(database: SqlDatabase, schema: MlflowSqliteSchema, table: string, keyColumns: readonly string[]) {
  const tags = new Map<string, Record<string, string>>();
  if (!schema.hasTable(table)) return tags;
  const columns = schema.select(table, [...keyColumns, 'key', 'value']);
  for (const row of database.exec(`SELECT ${columns} FROM ${table}${schema.defaultWorkspaceFilter(table)}`)[0]
    ?.values ?? []) {
    const owner = keyColumns.map((_, index) => String(row[index])).join('\u0000');
    let values = tags.get(owner);
    if (!values) tags.set(owner, (values = {}));
    values[String(row[keyColumns.length])] = asText(row[keyColumns.length + 1]) ?? '';
  }
  return tags;
}

/**
 * The model registry tables of an mlflow.db (FORMATS.md 4.2): registered models, their versions
 * (soft-deleted `Deleted_Internal` ones left out), aliases (2023+) and tags. Column names differ
 * from the file store (`creation_time` here, `creation_timestamp` there); the result does not.
 */
export function queryMlflowSqliteRegistry(database: SqlDatabase, schema: MlflowSqliteSchema): MlflowRegisteredModel[] {
  if (!schema.hasTable('registered_models')) return [];
  const modelTags = tagMap(database, schema, 'registered_model_tags', ['name']);
  const versionTags = tagMap(database, schema, 'model_version_tags', ['name', 'version']);
  const aliases = new Map<string, Record<string, number>>();
  if (schema.hasTable('registered_model_aliases')) {
    const columns = schema.select('registered_model_aliases', ['name', 'alias', 'version']);
    const filter = schema.defaultWorkspaceFilter('registered_model_aliases');
    for (const [name, alias, version] of database.exec(`SELECT ${columns} FROM registered_model_aliases${filter}`)[0]
      ?.values ?? []) {
      if (typeof version !== 'number') continue;
      let modelAliases = aliases.get(String(name));
      if (!modelAliases) aliases.set(String(name), (modelAliases = {}));
      modelAliases[String(alias)] = version;
    }
  }
  const versions = new Map<string, Array<Omit<MlflowModelVersion, 'aliases'>>>();
  if (schema.hasTable('model_versions')) {
    const columns = schema.select('model_versions', [
      'name',
      'version',
      'creation_time',
      'last_updated_time',
      'description',
      'user_id',
      'current_stage',
      'source',
      'run_id',
      'status',
      'storage_location',
    ]);
    const filter = schema.defaultWorkspaceFilter('model_versions');
    for (const row of database.exec(`SELECT ${columns} FROM model_versions${filter}`)[0]?.values ?? []) {
      const [name, version, created, updated, description, userId, stage, source, runId, status, storage] = row;
      if (typeof version !== 'number' || stage === DELETED_STAGE) continue;
      let list = versions.get(String(name));
      if (!list) versions.set(String(name), (list = []));
      list.push({
        version,
        stage: asText(stage) ?? 'None',
        tags: versionTags.get(`${String(name)}\u0000${version}`) ?? {},
        ...withoutEmpty({
          source: asText(source),
          runId: asText(runId),
          status: asText(status),
          description: asText(description),
          createdAt: asTime(created),
          updatedAt: asTime(updated),
          userId: asText(userId),
          storageLocation: asText(storage),
        }),
      });
    }
  }
  const columns = schema.select('registered_models', ['name', 'creation_time', 'last_updated_time', 'description']);
  const filter = schema.defaultWorkspaceFilter('registered_models');
  const models: MlflowRegisteredModel[] = [];
  for (const [name, created, updated, description] of database.exec(
    `SELECT ${columns} FROM registered_models${filter} ORDER BY name`,
  )[0]?.values ?? []) {
    const modelName = String(name);
    const modelAliases = aliases.get(modelName) ?? {};
    models.push({
      name: modelName,
      ...withoutEmpty({ description: asText(description), createdAt: asTime(created), updatedAt: asTime(updated) }),
      tags: modelTags.get(modelName) ?? {},
      aliases: modelAliases,
      versions: linkAliases(versions.get(modelName) ?? [], modelAliases),
    });
  }
  return models;
}
