import { basename, dirname, join, normalize, relative } from 'pathe';
import { isLockFileName, isPipelineFileName } from './pipelineFileNames';
import { lockFilePathFor } from '../lock/model';
import type { FileSystem } from '../ports';
import type { Output, Stage } from './model';
import { absoluteStagePath } from './outputIndex';

/**
 * Which paths a stage may delete as its outs. mlc removes non-persist outs before a stage runs,
 * so an out that points outside the workspace, at the workspace itself, into `.git` or `.mlc`, at
 * a pipeline, lock or params file, or at one of the stage's own inputs would destroy something
 * that is not the stage's. The same rules serve `loadWorkspace` (located problems) and `runStage`
 * (which refuses to remove instead of trusting that the problems were looked at).
 */
export interface OutOwnershipRules {
  /** The workspace root, normalised, without a trailing slash. */
  readonly root: string;
  /** The root with symlinks resolved (outs are compared against both). */
  readonly realRoot: string;
  /** Pipeline files, their lock files and the params files read before any stage runs. */
  readonly protectedFiles: ReadonlySet<string>;
  /** Every folder above a protected file inside the root (an out there would delete the file). */
  readonly protectedFolders: ReadonlySet<string>;
  /** Resolved parent folders, reused across outs (many outs share a folder). */
  readonly realFolders: Map<string, string | undefined>;
}

export interface OutRefusal {
  readonly code: 'outOutsideWorkspace' | 'outNotOwned' | 'depIsOwnOut';
  /** Completes "The out 'x' …". */
  readonly reason: string;
}

/** Folder names inside the workspace that no out may be, or be inside of. */
const reservedFolders = new Set(['.git', '.mlc']);
/** File names DVC refuses as outputs (a stage file cannot be an output, treeverse/dvc#2493); mlc's own too. */

/**
 * The rules for a workspace: `pipelineFiles` with their lock files and the `params.yaml` beside
 * each (DVC reads it for `${}` before any stage runs), plus `templateFiles` (vars files).
 */
export function outOwnershipRules(
  fs: FileSystem,
  root: string,
  pipelineFiles: Iterable<string>,
  templateFiles: Iterable<string> = [],
): OutOwnershipRules {
  const normalRoot = withoutTrailingSlash(normalize(root));
  const protectedFiles = new Set<string>();
  for (const file of pipelineFiles) {
    protectedFiles.add(file);
    const lockFile = lockFilePathFor({ pipelineFile: file });
    if (lockFile !== undefined) {
      protectedFiles.add(lockFile);
      protectedFiles.add(join(dirname(file), 'params.yaml'));
    }
  }
  for (const file of templateFiles) protectedFiles.add(normalize(file));
  const protectedFolders = new Set<string>();
  for (const file of protectedFiles) {
    for (let folder = dirname(file); isInside(normalRoot, folder); folder = dirname(folder)) {
      if (protectedFolders.has(folder)) break;
      protectedFolders.add(folder);
    }
  }
  return {
    root: normalRoot,
    realRoot: withoutTrailingSlash(fs.realPath(normalRoot) ?? normalRoot),
    protectedFiles,
    protectedFolders,
    realFolders: new Map(),
  };
}

/**
 * Why `out` of `stage` is not the stage's to delete, or undefined when it is. The out is resolved
 * against the stage's wdir and normalised, and the folders above it are followed through symlinks
 * (the out itself is not: a symlink listed as an out is only unlinked).
 */
export function checkOutOwnership(
  fs: FileSystem,
  rules: OutOwnershipRules,
  stage: Stage,
  out: Output,
): OutRefusal | undefined {
  const path = absoluteStagePath(stage, out.path);
  if (path === rules.root) return { code: 'outNotOwned', reason: 'is the workspace itself' };
  if (!isInside(rules.root, path))
    return { code: 'outOutsideWorkspace', reason: `resolves to ${path}, outside the workspace` };
  const realPath = resolveParentFolders(fs, rules, path);
  if (realPath !== undefined && realPath !== rules.realRoot && !isInside(rules.realRoot, realPath)) {
    return {
      code: 'outOutsideWorkspace',
      reason: `resolves through a symlinked folder to ${realPath}, outside the workspace`,
    };
  }
  const candidates = [path];
  if (realPath === rules.realRoot) return { code: 'outNotOwned', reason: 'resolves to the workspace itself' };
  if (realPath !== undefined && realPath !== path)
    candidates.push(join(rules.root, relative(rules.realRoot, realPath)));
  for (const candidate of candidates) {
    const refusal = protectedRefusal(rules, candidate);
    if (refusal) return refusal;
  }
  return ownInputRefusal(stage, path);
}

function protectedRefusal(rules: OutOwnershipRules, path: string): OutRefusal | undefined {
  const reserved = relative(rules.root, path)
    .split('/')
    .find((part: string) => reservedFolders.has(part));
  if (reserved !== undefined)
    return { code: 'outNotOwned', reason: `is ${reserved} or inside it (git's and mlc's own files)` };
  if (rules.protectedFiles.has(path) || isPipelineFileName(basename(path)) || isLockFileName(basename(path)))
    return { code: 'outNotOwned', reason: 'is a pipeline, lock or params file' };
  if (rules.protectedFolders.has(path))
    return { code: 'outNotOwned', reason: 'is a folder holding a pipeline, lock or params file' };
  return undefined;
}

/** DVC rejects an out equal to, inside or around one of the stage's deps as a cycle (treeverse/dvc#7915). */
function ownInputRefusal(stage: Stage, path: string): OutRefusal | undefined {
  const inputs = [
    ...stage.deps.map((dep) => ({ path: dep.path, what: 'dep' })),
    ...stage.params.map((params) => ({ path: params.file, what: 'params file' })),
  ];
  for (const input of inputs) {
    const inputPath = absoluteStagePath(stage, input.path);
    if (inputPath !== path && !isInside(path, inputPath) && !isInside(inputPath, path)) continue;
    const relation = inputPath === path ? 'is also' : isInside(path, inputPath) ? 'contains' : 'is inside';
    return {
      code: 'depIsOwnOut',
      reason: `${relation} its ${input.what} '${input.path}': running the stage would delete its own input`,
    };
  }
  return undefined;
}

/** `path` with every folder above it resolved through symlinks (its last part kept as written). */
function resolveParentFolders(fs: FileSystem, rules: OutOwnershipRules, path: string): string | undefined {
  const folder = realFolder(fs, rules, dirname(path));
  return folder === undefined ? undefined : join(folder, basename(path));
}

function realFolder(fs: FileSystem, rules: OutOwnershipRules, folder: string): string | undefined {
  if (rules.realFolders.has(folder)) return rules.realFolders.get(folder);
  let real = fs.realPath(folder);
  // A folder that does not exist yet: resolve the nearest existing one above it.
  if (real === undefined && folder !== '/' && folder !== rules.root) {
    const parent = realFolder(fs, rules, dirname(folder));
    real = parent === undefined ? undefined : join(parent, basename(folder));
  }
  rules.realFolders.set(folder, real);
  return real;
}

function isInside(folder: string, path: string): boolean {
  return path.startsWith(folder === '/' ? '/' : `${folder}/`) && path !== folder;
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
