import { isPythonFloat } from '../params/formatPythonValue';
import { type InterpolationOptions, interpolateString } from '../params/interpolateString';
import type { TemplateContext } from '../params/templateContext';
import type { SourcePosition } from './model';
import type { Tree } from './parseYamlTree';
import type { TreeReader } from './treeReader';

/**
 * Renders every `${}` in a tree (keys included), keeping each node's location. A value that
 * replaces a whole string may be a list or map; it becomes tree nodes located at that string. A
 * template that fails is reported at its string and left as written, so later checks still run.
 */
export function templateTree(
  tree: Tree,
  context: TemplateContext,
  reader: TreeReader,
  options: InterpolationOptions,
): Tree {
  // Unchanged subtrees are returned as they are: most of a pipeline holds no template.
  if (tree.kind === 'map') {
    let changed = false;
    const entries = tree.entries.map((entry) => {
      const key = templateTree(entry.key, context, reader, options);
      const value = templateTree(entry.value, context, reader, options);
      if (key === entry.key && value === entry.value) return entry;
      changed = true;
      return { key, value };
    });
    return changed ? { ...tree, entries } : tree;
  }
  if (tree.kind === 'seq') {
    let changed = false;
    const items = tree.items.map((item) => {
      const rendered = templateTree(item, context, reader, options);
      if (rendered !== item) changed = true;
      return rendered;
    });
    return changed ? { ...tree, items } : tree;
  }
  if (typeof tree.value !== 'string' || !tree.value.includes('${')) return tree;
  const result = interpolateString(tree.value, context, options);
  if (!result.ok) {
    reader.report(tree, 'error', result.code, result.message);
    return tree;
  }
  return result.changed ? valueToTree(result.value, tree.position, tree.end) : tree;
}

export function valueToTree(value: unknown, position: SourcePosition, end: SourcePosition): Tree {
  if (Array.isArray(value))
    return { kind: 'seq', items: value.map((item) => valueToTree(item, position, end)), position, end };
  if (typeof value === 'object' && value !== null && !isPythonFloat(value)) {
    const entries = Object.entries(value).map(([key, item]) => ({
      key: valueToTree(key, position, end),
      value: valueToTree(item, position, end),
    }));
    return { kind: 'map', entries, position, end };
  }
  return { kind: 'scalar', value, position, end };
}

/** True when any string in the tree holds a `${`. */
export function treeHasTemplate(tree: Tree): boolean {
  if (tree.kind === 'map')
    return tree.entries.some((entry) => treeHasTemplate(entry.key) || treeHasTemplate(entry.value));
  if (tree.kind === 'seq') return tree.items.some(treeHasTemplate);
  return typeof tree.value === 'string' && tree.value.includes('${');
}
