import { normalize, resolve } from 'pathe';
import type { Output, Stage } from './model';

/** An absolute path as the graph compares them: resolved against the stage's wdir, no trailing slash. */
export function absoluteStagePath(stage: Stage, path: string): string {
  // Most paths are plain relative paths: joining is enough, and much cheaper than resolving.
  if (isPlainRelativePath(path))
    return `${stage.wdir === '/' ? '' : stage.wdir}/${path.endsWith('/') ? path.slice(0, -1) : path}`;
  const absolute = normalize(resolve(stage.wdir, path));
  return absolute.length > 1 && absolute.endsWith('/') ? absolute.slice(0, -1) : absolute;
}

const needsResolving = /^\/|^\.\.?(?:\/|$)|\/\.\.?(?:\/|$)|\/\/|\\|^$|^~/;

/** A relative path with no `.`, `..`, empty part, backslash or `~`: joining it needs no normalising. */
export function isPlainRelativePath(path: string): boolean {
  return !needsResolving.test(path);
}

/** The folders above an absolute path, nearest first, without the root. */
function* ancestors(path: string): Generator<string> {
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) yield path.slice(0, end);
}

export interface OutputClaim {
  /** Index of the producing stage in the list the index was built from. */
  readonly stage: number;
  readonly output: Output;
}

/**
 * Every output path of a list of stages, for "who produces this path" in time linear in the
 * path's depth plus the matches: the exact output, an output folder above the path, or outputs
 * inside the path when it is a folder.
 */
export class OutputIndex {
  readonly claims = new Map<string, OutputClaim>();
  /** Outputs claimed a second time (the first claim wins). */
  readonly duplicates: Array<{ claim: OutputClaim; previous: OutputClaim }> = [];
  private sorted: string[] | undefined;

  constructor(stages: readonly Stage[]) {
    for (const [index, stage] of stages.entries()) {
      for (const output of stage.outs) {
        const path = absoluteStagePath(stage, output.path);
        const previous = this.claims.get(path);
        if (previous) this.duplicates.push({ claim: { stage: index, output }, previous });
        else this.claims.set(path, { stage: index, output });
      }
    }
  }

  /** The claims of outputs equal to, above or inside `path`. */
  producers(path: string): OutputClaim[] {
    const found: OutputClaim[] = [];
    const exact = this.claims.get(path);
    if (exact) found.push(exact);
    for (const folder of ancestors(path)) {
      const claim = this.claims.get(folder);
      if (claim) found.push(claim);
    }
    this.sorted ??= [...this.claims.keys()].sort();
    const prefix = `${path}/`;
    for (let position = lowerBound(this.sorted, prefix); position < this.sorted.length; position++) {
      const output = this.sorted[position]!;
      if (!output.startsWith(prefix)) break;
      found.push(this.claims.get(output)!);
    }
    return found;
  }

  /** The claim of an output folder strictly above `path`, if any. */
  enclosing(path: string): OutputClaim | undefined {
    for (const folder of ancestors(path)) {
      const claim = this.claims.get(folder);
      if (claim) return claim;
    }
    return undefined;
  }
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
