// How a watcher of the workspace (the extension's, mlc status --watch) sorts a changed path.
import type { Stage } from '../pipeline/model';
import { ALWAYS_SKIPPED_FOLDERS } from './walkWorkspace';

/** Default params files, which `vars:` and `${}` read even when no stage lists them. */
export const PARAMS_NAME = /^params\.(ya?ml|json|toml)$/;

/**
 * What the file watcher skips: the folders discovery never enters (`mlc.ignore` included), except
 * that inside `.mlc` the run records (`.mlc/runs`) are watched; `.mlc/cache` is mlc's own writing.
 */
export function skipsWatching(relativePath: string, ignore: readonly string[]): boolean {
  const segments = relativePath.split('/');
  return segments.some((segment, index) => {
    if (segment === '.mlc') return index + 1 < segments.length && segments[index + 1] !== 'runs';
    if (ALWAYS_SKIPPED_FOLDERS.has(segment) || ignore.includes(segment)) return true;
    return ignore.includes(segments.slice(0, index + 1).join('/'));
  });
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
