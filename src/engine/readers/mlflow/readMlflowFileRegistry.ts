import { join } from 'pathe';
import type { FileSystem } from '../../ports';
import type { Parsed, Problem } from '../../problems';
import { problemAt } from '../../problems';
import { metaTime, parseMlflowMetaYaml } from './parseMlflowMetaYaml';
import { readMlflowKeyValueFolder } from './readMlflowKeyValueFolder';
import { unreadableProblem } from './mlflowProblems';
import { withoutEmpty } from './withoutEmpty';
import type { MlflowModelVersion, MlflowRegisteredModel, MlflowRegistry } from './registryModel';
import { DELETED_STAGE, linkAliases } from './registryModel';

/**
 * Reads the file store's model registry, `<mlruns>/models/<model>/{meta.yaml, tags/, aliases/,
 * version-<n>/}` (FORMATS.md 3.4). A missing `models/` folder is an empty registry. Never throws.
 */
export function readMlflowFileRegistry(fs: FileSystem, mlrunsPath: string): Parsed<MlflowRegistry> {
  const problems: Problem[] = [];
  const modelsFolder = join(mlrunsPath, 'models');
  let entries;
  try {
    entries = fs.readDirectory(modelsFolder);
  } catch {
    return { value: { location: mlrunsPath, models: [] }, problems };
  }
  const models: MlflowRegisteredModel[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'directory') continue;
    const model = readModel(fs, join(modelsFolder, entry.name), problems);
    if (model) models.push(model);
  }
  models.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  return { value: { location: mlrunsPath, models }, problems };
}

function readMeta(fs: FileSystem, path: string, problems: Problem[]) {
  let text: string;
  try {
    text = fs.readText(path);
  } catch (error) {
    problems.push(unreadableProblem(path, error));
    return undefined;
  }
  const parsed = parseMlflowMetaYaml(text, path);
  problems.push(...parsed.problems);
  return parsed.value;
}

function readModel(fs: FileSystem, folder: string, problems: Problem[]): MlflowRegisteredModel | undefined {
  const meta = readMeta(fs, join(folder, 'meta.yaml'), problems);
  if (!meta) return undefined;
  const aliases: Record<string, number> = {};
  for (const [alias, text] of Object.entries(readMlflowKeyValueFolder(fs, join(folder, 'aliases'), problems))) {
    const version = Number(text.trim());
    if (Number.isInteger(version)) aliases[alias] = version;
    else {
      problems.push(
        problemAt(
          join(folder, 'aliases', alias),
          undefined,
          'warning',
          'mlflowRegistryAliasInvalid',
          `Alias "${alias}" should hold a version number but holds "${text.slice(0, 40)}"; it is ignored.`,
        ),
      );
    }
  }
  const versions: Array<Omit<MlflowModelVersion, 'aliases'>> = [];
  let entries;
  try {
    entries = fs.readDirectory(folder);
  } catch (error) {
    problems.push(unreadableProblem(folder, error));
    entries = [];
  }
  for (const entry of entries) {
    if (entry.kind !== 'directory' || !entry.name.startsWith('version-')) continue;
    const version = readVersion(fs, join(folder, entry.name), problems);
    if (version) versions.push(version);
  }
  return {
    name: meta.name ?? folder.slice(folder.lastIndexOf('/') + 1),
    ...withoutEmpty({
      description: meta.description,
      createdAt: metaTime(meta, 'creation_timestamp'),
      updatedAt: metaTime(meta, 'last_updated_timestamp'),
    }),
    tags: readMlflowKeyValueFolder(fs, join(folder, 'tags'), problems),
    aliases,
    versions: linkAliases(versions, aliases),
  };
}

function readVersion(
  fs: FileSystem,
  folder: string,
  problems: Problem[],
): Omit<MlflowModelVersion, 'aliases'> | undefined {
  const metaPath = join(folder, 'meta.yaml');
  const meta = readMeta(fs, metaPath, problems);
  if (!meta) return undefined;
  const stage = meta.current_stage ?? 'None';
  if (stage === DELETED_STAGE) return undefined;
  const version = Number(meta.version ?? folder.slice(folder.lastIndexOf('version-') + 8));
  if (!Number.isInteger(version)) {
    problems.push(
      problemAt(
        metaPath,
        undefined,
        'warning',
        'mlflowRegistryVersionInvalid',
        'The model version has no version number; it is skipped.',
      ),
    );
    return undefined;
  }
  return {
    version,
    stage,
    ...withoutEmpty({
      source: meta.source,
      runId: meta.run_id,
      status: meta.status,
      description: meta.description,
      createdAt: metaTime(meta, 'creation_timestamp'),
      updatedAt: metaTime(meta, 'last_updated_timestamp'),
      userId: meta.user_id,
      storageLocation: meta.storage_location,
    }),
    tags: readMlflowKeyValueFolder(fs, join(folder, 'tags'), problems),
  };
}
