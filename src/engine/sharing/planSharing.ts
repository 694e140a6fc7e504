/**
 * How `mlc push` / `mlc pull` share run records: one git ref per run, `refs/mlc/runs/<id>`, pointing
 * at a commit whose tree is the run folder, made with a fixed author and date so that the same
 * folder gives the same commit in every clone. A ref is only ever created, never moved: records
 * are append-only and content-addressed, so two people can never push conflicting versions of one
 * ref by accident; a run whose folder differs between two clones is reported and left alone.
 */
export const RUN_REF_PREFIX = 'refs/mlc/runs/';

/**
 * The model registry folder (`.mlc/registry/`) is shared as snapshots: `refs/mlc/registry/<tree>`
 * names each pushed state by its own content, so snapshots too are only ever added. Pull adds the
 * files a snapshot has and the workspace lacks; a file that exists with other bytes is reported
 * and kept (the registry's own merge rules belong to the registry).
 */
export const REGISTRY_FOLDER = '.mlc/registry';
export const REGISTRY_REF_PREFIX = 'refs/mlc/registry/';

/** A run id that is safe as both a ref name component and a folder name. */
export function isShareableRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..') && !id.endsWith('.lock') && id.length <= 200;
}

export interface PushPlan {
  /** Run ids the remote does not have. */
  readonly push: readonly string[];
  /** Already on the remote with the same content. */
  readonly present: readonly string[];
  /** On the remote with other content: never replaced. */
  readonly differing: readonly string[];
}

/** `local` and `remote` map run ids to commit ids. */
export function planPush(local: ReadonlyMap<string, string>, remote: ReadonlyMap<string, string>): PushPlan {
  const push: string[] = [];
  const present: string[] = [];
  const differing: string[] = [];
  for (const [id, commit] of [...local].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const theirs = remote.get(id);
    if (theirs === undefined) push.push(id);
    else if (theirs === commit) present.push(id);
    else differing.push(id);
  }
  return { push, present, differing };
}

export interface PullPlan {
  /** Runs to write into `.mlc/runs/`. */
  readonly materialise: readonly string[];
  readonly present: readonly string[];
  /** A local folder of that id holds other content: kept as it is. */
  readonly differing: readonly string[];
}

/**
 * `remote` maps run ids to tree ids; `localTree(id)` is the tree of the local folder, or undefined
 * when there is none.
 */
export function planPull(remote: ReadonlyMap<string, string>, localTree: (id: string) => string | undefined): PullPlan {
  const materialise: string[] = [];
  const present: string[] = [];
  const differing: string[] = [];
  for (const [id, tree] of remote) {
    const local = localTree(id);
    if (local === undefined) materialise.push(id);
    else if (local === tree) present.push(id);
    else differing.push(id);
  }
  return { materialise, present, differing };
}
