import { join, normalize, relative } from 'pathe';
import type { FileSystem } from '../ports';
import type { Problem } from '../problems';
import { isPythonFloat } from './formatPythonValue';
import { loadParamsTree } from './readParams';

/**
 * The values `${}` templates read, built the way DVC builds its parsing context
 * (dvc/parsing/context.py): params.yaml first, then each `vars` item; nested maps merge, and
 * redefining a leaf is an error that names both sources. Every value remembers where it came
 * from, so the values used from params files can be reported (`dvc params show` lists them).
 */
interface NodeMeta {
  /** The params file (relative to the pipeline's folder) or `stage.vars[0]`; undefined for loop values. */
  readonly source: string | undefined;
  readonly path: readonly string[];
  /** Values from inline `vars` maps and loop items are local: they are not tracked. */
  readonly local: boolean;
}
export type ContextNode =
  | { readonly kind: 'value'; readonly value: unknown; readonly meta: NodeMeta }
  | { readonly kind: 'list'; readonly items: readonly ContextNode[]; readonly meta: NodeMeta }
  | { readonly kind: 'map'; readonly entries: Map<string, ContextNode>; readonly meta: NodeMeta };

export interface ContextError {
  readonly code: string;
  readonly message: string;
  /** Problems inside a params file (its own syntax errors), reported where they are. */
  readonly fileProblems?: readonly Problem[];
}

export function toContextNode(value: unknown, meta: NodeMeta): ContextNode {
  if (Array.isArray(value)) {
    return { kind: 'list', items: value.map((item, index) => toContextNode(item, child(meta, String(index)))), meta };
  }
  if (typeof value === 'object' && value !== null && !isPythonFloat(value)) {
    const entries = new Map<string, ContextNode>();
    for (const [key, item] of Object.entries(value)) entries.set(key, toContextNode(item, child(meta, key)));
    return { kind: 'map', entries, meta };
  }
  return { kind: 'value', value, meta };
}

function child(meta: NodeMeta, key: string): NodeMeta {
  return { ...meta, path: [...meta.path, key] };
}

export function unwrapNode(node: ContextNode): unknown {
  if (node.kind === 'value') return node.value;
  if (node.kind === 'list') return node.items.map(unwrapNode);
  const result: Record<string, unknown> = {};
  for (const [key, item] of node.entries) result[key] = unwrapNode(item);
  return result;
}

function copyMap(entries: Map<string, ContextNode>): Map<string, ContextNode> {
  const copy = new Map<string, ContextNode>();
  for (const [key, node] of entries)
    copy.set(key, node.kind === 'map' ? { ...node, entries: copyMap(node.entries) } : node);
  return copy;
}

export class TemplateContext {
  private readonly root: Map<string, ContextNode>;
  /** Loaded files (normalised path) -> the keys loaded, or null for the whole file. */
  private readonly imports: Map<string, string[] | null>;
  private readonly reserved = new Set<string>();
  /** source file -> dotted key -> value, for values used; shared by every clone of one pipeline's context. */
  readonly tracked: Map<string, Map<string, unknown>>;

  constructor(
    /** The pipeline file's folder: sources are named relative to it. */
    readonly pipelineRoot: string,
    root = new Map<string, ContextNode>(),
    imports = new Map<string, string[] | null>(),
    tracked = new Map<string, Map<string, unknown>>(),
  ) {
    this.root = root;
    this.imports = imports;
    this.tracked = tracked;
  }

  clone(): TemplateContext {
    const copy = new TemplateContext(this.pipelineRoot, copyMap(this.root), new Map(this.imports), this.tracked);
    for (const key of this.reserved) copy.reserved.add(key);
    return copy;
  }

  has(key: string): boolean {
    return this.root.has(key);
  }

  /** Merges a map into the context; a leaf that already exists is an error (DVC never overwrites). */
  merge(entries: Map<string, ContextNode>, where = ''): ContextError | undefined {
    const clash = [...entries.keys()].filter((key) => this.reserved.has(key));
    if (clash.length > 0) {
      const message = `'${clash.join("', '")}' ${clash.length > 1 ? 'are' : 'is'} reserved inside foreach and matrix stages${where}; rename the variable.`;
      return { code: 'templateRedefined', message };
    }
    return mergeInto(this.root, entries);
  }

  /** Loads `path` or `path:key1,key2` relative to `wdir` (DVC's `merge_from`). */
  loadFile(fs: FileSystem, item: string, wdir: string): ContextError | undefined {
    const colon = item.indexOf(':');
    const written = colon === -1 ? item : item.slice(0, colon);
    const keys =
      colon === -1
        ? null
        : item
            .slice(colon + 1)
            .split(',')
            .filter(Boolean);
    const selectKeys = keys && keys.length > 0 ? keys : null;
    const path = normalize(join(wdir, written));
    const imported = this.imports.get(path);
    if (imported !== undefined) {
      if (selectKeys === null && imported === null) return undefined; // the same whole file twice is fine
      const partialTwice =
        imported !== null && (selectKeys === null || selectKeys.some((key) => imported.includes(key)));
      if (partialTwice || (selectKeys !== null && imported === null)) {
        const message = `Cannot load '${item}': ${written} is already ${imported === null ? 'loaded whole' : 'partially loaded'}; load each file once, whole or by keys.`;
        return { code: 'templateRedefined', message };
      }
    }
    const loaded = loadParamsTree(fs, path);
    if (loaded.missing) {
      return {
        code: 'missingParamsFile',
        message: `The vars file '${written}' does not exist; create it or fix the path.`,
      };
    }
    if (!loaded.value) {
      return {
        code: 'paramsFileSyntax',
        message: `The vars file '${written}' cannot be read.`,
        fileProblems: loaded.problems,
      };
    }
    let data: Record<string, unknown> = loaded.value;
    if (selectKeys) {
      const absent = selectKeys.find((key) => !Object.hasOwn(loaded.value!, key));
      if (absent !== undefined) {
        return {
          code: 'missingParam',
          message: `The key '${absent}' is not in ${written}; add it there or fix the vars entry.`,
        };
      }
      data = Object.fromEntries(selectKeys.map((key) => [key, loaded.value![key]]));
    }
    const source = relative(this.pipelineRoot, path);
    const node = toContextNode(data, { source, path: [], local: false });
    const error = this.merge(node.kind === 'map' ? node.entries : new Map());
    if (error) return error;
    this.imports.set(
      path,
      imported === undefined || imported === null ? selectKeys : [...imported, ...(selectKeys ?? [])],
    );
    return undefined;
  }

  /** Sets `item`/`key` for one generated stage, reserved so stage vars cannot redefine them. */
  withLoopValues(values: Map<string, ContextNode>): TemplateContext {
    const copy = this.clone();
    for (const [key, node] of values) {
      copy.root.set(key, node);
      copy.reserved.add(key);
    }
    return copy;
  }

  /** Looks up a normalised dotted key (`a.0.b`); records values from params files when tracking. */
  select(dotted: string): ContextNode | undefined {
    let node: ContextNode | undefined;
    let entries: Map<string, ContextNode> | undefined = this.root;
    let items: readonly ContextNode[] | undefined;
    for (const rawPart of dotted.split('.')) {
      const part = rawPart.trim();
      if (entries) node = entries.get(part);
      else if (items) node = /^-?\d+$/.test(part) ? items.at(Number(part)) : undefined;
      else return undefined;
      if (!node) return undefined;
      entries = node.kind === 'map' ? node.entries : undefined;
      items = node.kind === 'list' ? node.items : undefined;
    }
    if (node) this.track(node);
    return node;
  }

  /** Runs `render` with tracking on: DVC records the values a stage body uses, not loop or top-level ones. */
  tracking<T>(render: () => T): T {
    const previous = this.isTracking;
    this.isTracking = true;
    try {
      return render();
    } finally {
      this.isTracking = previous;
    }
  }

  private isTracking = false;

  private track(node: ContextNode): void {
    // DVC records values and lists, not maps (a map's Node has no sources).
    if (!this.isTracking || node.kind === 'map') return;
    if (node.meta.local || node.meta.source === undefined) return;
    const values = this.tracked.get(node.meta.source) ?? new Map<string, unknown>();
    this.tracked.set(node.meta.source, values);
    values.set(node.meta.path.join('.'), unwrapNode(node));
  }
}

function mergeInto(into: Map<string, ContextNode>, update: Map<string, ContextNode>): ContextError | undefined {
  for (const [key, node] of update) {
    const existing = into.get(key);
    if (existing?.kind === 'map' && node.kind === 'map') {
      const error = mergeInto(existing.entries, node.entries);
      if (error) return error;
      continue;
    }
    if (existing) {
      const path = node.meta.path.length > 0 ? node.meta.path.join('.') : key;
      const message = `Cannot redefine '${path}' from '${node.meta.source ?? 'vars'}': it already exists in '${existing.meta.source ?? 'vars'}'. Rename one of them.`;
      return { code: 'templateRedefined', message };
    }
    into.set(key, node);
  }
  return undefined;
}
