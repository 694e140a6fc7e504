import { basename, join, relative } from 'pathe';
import type { ContentHasher } from '../hashing/ports';
import type { Clock, FileSystem, GitClient } from '../ports';
import type { Problem } from '../problems';
import { problemAt } from '../problems';
import type { ParamValue } from '../runs/model';
import { describeUser } from '../audit/auditLog';

/** The registry, relative to the workspace root: `<model>/versions/<n>/` and `<model>/aliases.json`. */
export const REGISTRY_FOLDER = '.mlc/registry';
export const VERSION_RECORD_FILE = 'version.json';

/** Model, alias and target names become folder and file names: keep them to a portable set. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name);
}

/**
 * `version.json`: written once, after the artifact copy is complete and its hash checked, so a
 * version folder without it is an unfinished registration and is ignored.
 */
export interface ModelVersionRecord {
  readonly model: string;
  readonly version: number;
  /** The copy's file or folder name inside the version folder. */
  readonly artifact: string;
  readonly kind: 'file' | 'directory';
  /** DVC-style md5 (`.dir` for folders), as the content hasher computes it. */
  readonly md5: string;
  readonly size: number;
  /** The artifact's workspace path it was copied from, relative to the workspace root. */
  readonly sourcePath: string;
  readonly sourceRun: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly commit: string | null;
  readonly who: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

export interface RegisteredModel {
  readonly name: string;
  /** Ascending by version. */
  readonly versions: readonly ModelVersionRecord[];
  /** Alias -> version. */
  readonly aliases: Readonly<Record<string, number>>;
}

export function modelFolder(workspaceRoot: string, model: string): string {
  return join(workspaceRoot, REGISTRY_FOLDER, model);
}

export function versionFolder(workspaceRoot: string, model: string, version: number): string {
  return join(modelFolder(workspaceRoot, model), 'versions', String(version));
}

/** The immutable copy a deployment starts: `{model}` in a start command. */
export function versionArtifactPath(workspaceRoot: string, record: ModelVersionRecord): string {
  return join(versionFolder(workspaceRoot, record.model, record.version), record.artifact);
}

/** Every registered model with its complete versions and aliases; unreadable records are problems. */
export function readModelRegistry(
  fs: FileSystem,
  workspaceRoot: string,
): { readonly models: RegisteredModel[]; readonly problems: Problem[] } {
  const problems: Problem[] = [];
  const models: RegisteredModel[] = [];
  for (const entry of listDirectory(fs, join(workspaceRoot, REGISTRY_FOLDER))) {
    if (entry.kind !== 'directory' || !isSafeName(entry.name)) continue;
    models.push(readRegisteredModel(fs, workspaceRoot, entry.name, problems));
  }
  models.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  return { models, problems };
}

export function readRegisteredModel(
  fs: FileSystem,
  workspaceRoot: string,
  name: string,
  problems: Problem[] = [],
): RegisteredModel {
  const versions: ModelVersionRecord[] = [];
  for (const entry of listDirectory(fs, join(modelFolder(workspaceRoot, name), 'versions'))) {
    if (entry.kind !== 'directory' || !/^[1-9][0-9]*$/.test(entry.name)) continue;
    const file = join(versionFolder(workspaceRoot, name, Number(entry.name)), VERSION_RECORD_FILE);
    if (!fs.stat(file)) continue;
    const record = readJson(fs, file, problems);
    if (isVersionRecord(record)) versions.push(record);
    else if (record !== undefined) problems.push(unreadableRecord(file, 'is not a model version record'));
  }
  versions.sort((left, right) => left.version - right.version);
  const aliasFile = join(modelFolder(workspaceRoot, name), 'aliases.json');
  const aliasData = fs.stat(aliasFile) ? readJson(fs, aliasFile, problems) : {};
  const aliases: Record<string, number> = {};
  if (typeof aliasData === 'object' && aliasData !== null) {
    for (const [alias, version] of Object.entries(aliasData)) if (typeof version === 'number') aliases[alias] = version;
  }
  return { name, versions, aliases };
}

function isVersionRecord(value: unknown): value is ModelVersionRecord {
  const record = value as ModelVersionRecord | undefined;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.version === 'number' &&
    typeof record.artifact === 'string' &&
    typeof record.md5 === 'string' &&
    typeof record.metrics === 'object'
  );
}

function unreadableRecord(file: string, why: string): Problem {
  return problemAt(file, undefined, 'error', 'registryRecordUnreadable', `${file} ${why}; restore it from git.`);
}

function readJson(fs: FileSystem, file: string, problems: Problem[]): unknown {
  try {
    return JSON.parse(fs.readText(file)) as unknown;
  } catch (error) {
    problems.push(unreadableRecord(file, `cannot be read as JSON (${String(error)})`));
    return undefined;
  }
}

function listDirectory(fs: FileSystem, path: string) {
  try {
    return fs.readDirectory(path);
  } catch {
    return [];
  }
}

export interface RegistrationPorts {
  readonly fs: FileSystem;
  readonly hasher: ContentHasher;
  readonly git: GitClient;
  readonly clock: Clock;
}

export interface RegistrationRequest {
  readonly workspaceRoot: string;
  readonly model: string;
  /** Absolute path of the model's artifact in the workspace (file or folder). */
  readonly artifactPath: string;
  readonly runId: string;
  /** What the run recorded for the artifact, when it recorded a hash: the copy must be that content. */
  readonly runArtifactMd5?: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, ParamValue>>;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * Registers the next version of a model: copies the artifact into a new version folder, checks the
 * copy hashes like the source (and like the run recorded it), then writes version.json. A version
 * folder that already exists is never written into: versions are immutable once created.
 */
export async function registerModelVersion(
  ports: RegistrationPorts,
  request: RegistrationRequest,
): Promise<Outcome<ModelVersionRecord>> {
  const { fs, hasher } = ports;
  if (!isSafeName(request.model))
    return { ok: false, message: `'${request.model}' cannot be a model name: use letters, digits, '.', '_' and '-'.` };
  const source = await hasher.hash(request.artifactPath);
  const sourceStat = fs.stat(request.artifactPath);
  if (!source || !sourceStat) {
    return {
      ok: false,
      message: `the model artifact ${request.artifactPath} does not exist; run the pipeline that produces it first.`,
    };
  }
  if (request.runArtifactMd5 !== undefined && request.runArtifactMd5 !== source.md5) {
    return {
      ok: false,
      message: `${request.artifactPath} is not what run ${request.runId} produced (md5 ${source.md5}, the run recorded ${request.runArtifactMd5}); register the run that produced it, or rerun the pipeline.`,
    };
  }
  const existing = readRegisteredModel(fs, request.workspaceRoot, request.model);
  let version = (existing.versions.at(-1)?.version ?? 0) + 1;
  // An unfinished registration (folder without version.json) keeps its number: never reuse a folder.
  while (fs.stat(versionFolder(request.workspaceRoot, request.model, version))) version++;
  const folder = versionFolder(request.workspaceRoot, request.model, version);
  const artifact = basename(request.artifactPath);
  copyTree(fs, request.artifactPath, join(folder, artifact));
  const copy = await hasher.hash(join(folder, artifact));
  if (copy?.md5 !== source.md5) {
    return {
      ok: false,
      message: `the copy in ${folder} does not hash like ${request.artifactPath}: was it written to while registering? Try again.`,
    };
  }
  const git = await ports.git.state(request.workspaceRoot);
  const record: ModelVersionRecord = {
    model: request.model,
    version,
    artifact,
    kind: sourceStat.kind === 'directory' ? 'directory' : 'file',
    md5: source.md5,
    size: source.size,
    sourcePath: relative(request.workspaceRoot, request.artifactPath),
    sourceRun: request.runId,
    metrics: request.metrics,
    params: request.params,
    commit: git.commit ?? null,
    who: describeUser(git.user),
    createdAt: new Date(ports.clock.now()).toISOString(),
  };
  fs.writeFileAtomic(join(folder, VERSION_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return { ok: true, value: record };
}

/** Checks that a version's copy still hashes as it did when registered (nobody edited it). */
export async function checkVersionIntact(
  hasher: ContentHasher,
  workspaceRoot: string,
  record: ModelVersionRecord,
): Promise<Outcome<string>> {
  const path = versionArtifactPath(workspaceRoot, record);
  const hash = await hasher.hash(path);
  if (hash?.md5 === record.md5) return { ok: true, value: path };
  return {
    ok: false,
    message: `version ${record.version} of ${record.model} was modified after registration (${path}: md5 ${hash?.md5 ?? 'missing'}, registered ${record.md5}); register a new version instead.`,
  };
}

/** Points an alias at a version; returns the version it pointed at before, if any. */
export function promoteAlias(
  fs: FileSystem,
  workspaceRoot: string,
  model: string,
  version: number,
  alias: string,
): Outcome<{ readonly previous?: number }> {
  if (!isSafeName(alias))
    return { ok: false, message: `'${alias}' cannot be an alias: use letters, digits, '.', '_' and '-'.` };
  const registered = readRegisteredModel(fs, workspaceRoot, model);
  if (!registered.versions.some((record) => record.version === version)) {
    const known = registered.versions.map((record) => record.version).join(', ');
    return {
      ok: false,
      message: known
        ? `${model} has no version ${version}; its versions are ${known}.`
        : `${model} has no registered versions; register one with mlc register ${model} --run RUN_ID.`,
    };
  }
  const previous = registered.aliases[alias];
  const aliases = { ...registered.aliases, [alias]: version };
  const sorted = Object.fromEntries(
    Object.keys(aliases)
      .sort()
      .map((key) => [key, aliases[key]]),
  );
  fs.writeFileAtomic(join(modelFolder(workspaceRoot, model), 'aliases.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  return { ok: true, value: previous === undefined ? {} : { previous } };
}

function copyTree(fs: FileSystem, from: string, to: string): void {
  const stat = fs.stat(from);
  if (stat?.kind === 'directory') {
    fs.makeDirectory(to);
    for (const entry of fs.readDirectory(from)) copyTree(fs, join(from, entry.name), join(to, entry.name));
  } else if (stat?.kind === 'file') {
    fs.writeFileAtomic(to, fs.readFile(from));
  }
}
