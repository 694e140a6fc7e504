// How a watcher of the workspace (the extension's, mlc status --watch) sorts a changed path.
import type { Stage } from '../pipeline/model';
import { ALWAYS_SKIPPED_FOLDERS } from './walkWorkspace';

/** Default params files, which `vars:` and `${}` read even when no stage lists them. */
export const PARAMS_NAME = /^params\.(ya?ml|json|toml)$/;

/** The files of a deployment folder that a deploy, rollback or undeploy writes (not its server logs). */
const DEPLOYMENT_RECORDS = new Set(['current.json', 'history.jsonl']);

/**
 * What the file watcher skips: the folders discovery never enters (`mlc.ignore` included), except
 * that inside `.mlc` the run records (`.mlc/runs`), the model registry (`.mlc/registry`) and the
 * deployment records (`.mlc/deployments/<target>/current.json`, `history.jsonl`) are watched; `.mlc/cache` is mlc's
 * own writing, and a server's log (appended to on every health probe) is not a change anyone shows.
 */
export function skipsWatching(relativePath: string, ignore: readonly string[]): boolean {
  const segments = relativePath.split('/');
  return segments.some((segment, index) => {
    if (segment === '.mlc') {
      const inside = segments.slice(index + 1);
      if (inside[0] === 'deployments')
        return inside.length > 3 || (inside.length === 3 && !DEPLOYMENT_RECORDS.has(inside[2]!));
      return inside.length > 0 && inside[0] !== 'runs' && inside[0] !== 'registry';
    }
    if (ALWAYS_SKIPPED_FOLDERS.has(segment) || ignore.includes(segment)) return true;
    return ignore.includes(segments.slice(0, index + 1).join('/'));
  });
}

/**
 * A change to what the Models and Deployments views show (relative to the workspace root): the
 * model registry (`.mlc/registry/**`), a deployment record file, or a deployment folder made or
 * removed; a `mlc register`, `promote` or `deploy` from a terminal then shows in the views at once.
 */
export function isLifecycleRecordChange(relativePath: string, directory: boolean): boolean {
  const segments = relativePath.split('/');
  if (segments[0] !== '.mlc') return false;
  if (segments[1] === 'registry') return true;
  if (segments[1] !== 'deployments') return false;
  return directory ? segments.length <= 3 : segments.length === 4 && DEPLOYMENT_RECORDS.has(segments[3]!);
}

/** `path` is `other` or lies inside it. */
export const isWithin = (path: string, other: string) => path === other || path.startsWith(`${other}/`);

/**
 * The paths a stage declares, absolute: deps and outs (a change alters its status) and params
 * files (a change alters the pipeline's values).
 */
export function declaredStagePaths(stage: Stage): { readonly status: string[]; readonly params: string[] } {
  const absolute = (path: string) => (path.startsWith('/') ? path : `${stage.wdir}/${path}`);
  return {
    status: [...stage.deps, ...stage.outs].map((entry) => absolute(entry.path)),
    params: stage.params.map((file) => absolute(file.file)),
  };
}
