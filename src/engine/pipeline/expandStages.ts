import { formatPythonValue, formatTemplateValue } from '../params/formatPythonValue';
import { selectExactNode } from '../params/interpolateString';
import { type ContextNode, type TemplateContext, toContextNode } from '../params/templateContext';
import type { Stage } from './model';
import { keyText, type MapTree, type Tree, treeToValue } from './parseYamlTree';
import { dvcStageKeys, mlcStageKeys, readStage, type StageSource } from './readStage';
import { templateTree } from './templateTree';
import { entryKey, findEntry } from './treeReader';

/**
 * Expansion caps: a few hundred bytes of `matrix` can name a million stages, so sizes are checked
 * from the product of the dimensions before anything is expanded (`expansionTooLarge`). Real
 * pipelines stay far below: the largest foreach groups seen have hundreds of stages.
 */
export const MAX_STAGES_PER_GROUP = 10_000;
export const MAX_STAGES_PER_FILE = 50_000;

/** DVC joins a group name and a generated key with `@` (dvc/parsing: JOIN). */
const join = '@';
const loopOnly = { source: undefined, path: [], local: true } as const;

/**
 * Expands the `stages:` map into stages, in file order: plain stages, `foreach`/`do` groups and
 * `matrix` groups, named exactly as DVC names them (`train@cnn`, `build@0`, `train@cnn-feature1`).
 */
export function expandStages(source: StageSource, stagesNode: Tree, context: TemplateContext): Stage[] {
  const { reader } = source;
  // `stages:` with nothing under it is an empty pipeline, not a type error.
  if (stagesNode.kind === 'scalar' && stagesNode.value === null) return [];
  const stagesMap = reader.map(stagesNode, 'stages');
  if (!stagesMap) return [];
  const stageKeys: readonly string[] = source.kind === 'mlc' ? mlcStageKeys : dvcStageKeys;
  const stages: Stage[] = [];
  for (const entry of stagesMap.entries) {
    const name = entryKey(entry);
    if (name === undefined || !checkStageName(source, entry.key, name)) continue;
    const body = reader.map(entry.value, `Stage '${name}'`);
    if (!body) continue;
    const position = entry.key.position;
    const foreach = findEntry(body, 'foreach');
    const doEntry = findEntry(body, 'do');
    const matrix = findEntry(body, 'matrix');
    if (foreach || doEntry) {
      reader.checkKeys(body, ['foreach', 'do'], `the foreach stage '${name}' (its body goes under do)`);
      if (!foreach || !doEntry) {
        const missing = foreach ? 'do' : 'foreach';
        reader.report(
          entry.key,
          'error',
          'missingField',
          `Stage '${name}' has no ${missing}; a foreach stage needs both foreach and do.`,
        );
        continue;
      }
      const template = reader.map(doEntry.value, `do of stage '${name}'`);
      if (!template) continue;
      reader.checkKeys(template, stageKeys, `stage '${name}'`);
      const items = foreachItems(source, foreach.value, context);
      if (!withinCaps(source, foreach.value, name, 'foreach', items.size, stages.length)) continue;
      for (const [key, item] of items) {
        const loopValues = new Map<string, ContextNode>([['item', item.node]]);
        if (item.isMapKey) loopValues.set('key', toContextNode(key, loopOnly));
        const stage = readStage(
          source,
          template,
          { name: `${name}${join}${key}`, group: name, position },
          context.withLoopValues(loopValues),
        );
        if (stage) stages.push(stage);
      }
    } else if (matrix) {
      reader.checkKeys(body, [...stageKeys, 'matrix'], `stage '${name}'`);
      const template: MapTree = { ...body, entries: body.entries.filter((item) => item !== matrix) };
      const combinations = matrixItems(source, matrix.value, context, (count) =>
        withinCaps(source, matrix.value, name, 'matrix', count, stages.length),
      );
      for (const [key, item] of combinations) {
        const loopValues = new Map<string, ContextNode>([
          ['item', item],
          ['key', toContextNode(key, loopOnly)],
        ]);
        const stage = readStage(
          source,
          template,
          { name: `${name}${join}${key}`, group: name, position },
          context.withLoopValues(loopValues),
        );
        if (stage) stages.push(stage);
      }
    } else {
      reader.checkKeys(body, stageKeys, `stage '${name}'`);
      const stage = readStage(source, body, { name, position }, context);
      if (stage) stages.push(stage);
    }
  }
  return stages;
}

/**
 * Stage names: `@` separates generated names and `:` separates a file from a name in addresses,
 * so both are errors (the stage is still read, so its other problems show too). DVC's `stage add`
 * also rejects other punctuation: a warning. Only an empty name drops the stage.
 */
function checkStageName(source: StageSource, keyNode: Tree, name: string): boolean {
  if (name.trim() === '' || /[@:/\\]/.test(name)) {
    const message = `'${name}' is not a valid stage name: names cannot be empty or contain @ : / or \\ (@ separates generated names, : a file from a name). Rename the stage.`;
    source.reader.report(keyNode, 'error', 'invalidStageName', message);
    return name.trim() !== '';
  }
  if (/[!"#$%&'()*+,.;<=>?[\]^`{|}~\s]/.test(name)) {
    const message = `'${name}' has characters DVC does not allow in stage names (only letters, digits, _ and -); rename it to keep the pipeline usable with DVC.`;
    source.reader.report(keyNode, 'warning', 'invalidStageName', message);
  }
  return true;
}

/** The loop value behind `foreach`/`matrix`: a context node (`${…}`), or the written tree. */
function loopSource(
  source: StageSource,
  node: Tree,
  context: TemplateContext,
  what: string,
): { fromContext: ContextNode } | { written: Tree } | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    const selected = selectExactNode(node.value, context);
    if (selected && 'node' in selected) return { fromContext: selected.node };
    if (selected) {
      source.reader.report(node, 'error', selected.code, selected.message);
      return undefined;
    }
  }
  const rendered = templateTree(node, context, source.reader, { allowCollections: true });
  if (rendered.kind === 'scalar') {
    source.reader.wrongType(rendered, what, 'a list or a map (or one ${…} that holds one)');
    return undefined;
  }
  return { written: rendered };
}

/** Python's str() for values taken from the context, DVC's to_str for written ones (bools differ). */
function keyOf(value: unknown, fromContext: boolean): string {
  return fromContext ? formatPythonValue(value) : formatTemplateValue(value);
}

function foreachItems(
  source: StageSource,
  node: Tree,
  context: TemplateContext,
): Map<string, { node: ContextNode; isMapKey: boolean }> {
  const result = new Map<string, { node: ContextNode; isMapKey: boolean }>();
  const loop = loopSource(source, node, context, 'foreach');
  if (!loop) return result;
  const fromContext = 'fromContext' in loop;
  let entries: Array<[unknown, ContextNode]>;
  let isMap: boolean;
  if ('fromContext' in loop) {
    const contextNode = loop.fromContext;
    if (contextNode.kind === 'value') {
      source.reader.wrongType(node, 'foreach', 'a list or a map (or one ${…} that holds one)');
      return result;
    }
    isMap = contextNode.kind === 'map';
    entries = contextNode.kind === 'map' ? [...contextNode.entries] : contextNode.items.map((item) => [item, item]);
  } else {
    const tree = loop.written;
    isMap = tree.kind === 'map';
    entries =
      tree.kind === 'map'
        ? tree.entries.map((entry) => [
            keyText(entry.key.kind === 'scalar' ? entry.key.value : treeToValue(entry.key)),
            toContextNode(treeToValue(entry.value), loopOnly),
          ])
        : tree.kind === 'seq'
          ? tree.items.map((item) => {
              const contextNode = toContextNode(treeToValue(item), loopOnly);
              return [contextNode, contextNode];
            })
          : [];
  }
  if (isMap) {
    for (const [key, item] of entries) result.set(String(key), { node: item, isMapKey: true });
    return result;
  }
  const nodes = entries.map(([, item]) => item);
  const byIndex = nodes.some((item) => item.kind !== 'value');
  for (const [index, item] of nodes.entries()) {
    const key = byIndex ? String(index) : keyOf(item.kind === 'value' ? item.value : undefined, fromContext);
    // Simple values that print the same collapse into one stage (a Python dict keyed by to_str).
    result.set(key, { node: item, isMapKey: false });
  }
  return result;
}

/** Whether `count` more stages of group `name` fit the caps; reports `expansionTooLarge` if not. */
function withinCaps(
  source: StageSource,
  node: Tree,
  name: string,
  what: 'foreach' | 'matrix',
  count: number,
  expandedSoFar: number,
): boolean {
  const shown =
    count > MAX_STAGES_PER_FILE ? `more than ${MAX_STAGES_PER_FILE.toLocaleString('en')}` : count.toLocaleString('en');
  if (count > MAX_STAGES_PER_GROUP) {
    const message = `The ${what} of stage '${name}' would make ${shown} stages; mlc expands at most ${MAX_STAGES_PER_GROUP.toLocaleString('en')} per foreach or matrix stage. Split it, or loop inside the command.`;
    source.reader.report(node, 'error', 'expansionTooLarge', message);
    return false;
  }
  if (expandedSoFar + count > MAX_STAGES_PER_FILE) {
    const message = `The ${what} of stage '${name}' would take this file past ${MAX_STAGES_PER_FILE.toLocaleString('en')} stages, the most mlc reads from one pipeline file. Split the pipeline into several files.`;
    source.reader.report(node, 'error', 'expansionTooLarge', message);
    return false;
  }
  return true;
}

/** The combinations of a matrix, once `fits` accepts their count (computed before expanding). */
function matrixItems(
  source: StageSource,
  node: Tree,
  context: TemplateContext,
  fits: (count: number) => boolean,
): Map<string, ContextNode> {
  const result = new Map<string, ContextNode>();
  const matrixMap = source.reader.map(node, 'matrix');
  if (!matrixMap) return result;
  const variables: Array<{ name: string; values: Array<{ node: ContextNode; fragment: string }> }> = [];
  for (const entry of matrixMap.entries) {
    const name = entryKey(entry);
    if (name === undefined) continue;
    const loop = loopSource(source, entry.value, context, `matrix.${name}`);
    if (!loop) return result;
    let nodes: readonly ContextNode[];
    const fromContext = 'fromContext' in loop;
    if ('fromContext' in loop) {
      if (loop.fromContext.kind !== 'list') {
        source.reader.wrongType(entry.value, `matrix.${name}`, 'a list');
        return result;
      }
      nodes = loop.fromContext.items;
    } else if (loop.written.kind === 'seq') {
      nodes = loop.written.items.map((item) => toContextNode(treeToValue(item), loopOnly));
    } else {
      source.reader.wrongType(entry.value, `matrix.${name}`, 'a list');
      return result;
    }
    const values = nodes.map((item, index) => ({
      node: item,
      fragment: item.kind === 'value' ? keyOf(item.value, fromContext) : `${name}${index}`,
    }));
    variables.push({ name, values });
  }
  if (variables.length === 0) return result;
  // Stops multiplying once past the cap, so the count stays exact enough and never overflows.
  let count = 1;
  for (const variable of variables) count = Math.min(count * variable.values.length, MAX_STAGES_PER_FILE + 1);
  if (!fits(count)) return result;
  // The Cartesian product in declaration order, the last variable varying fastest.
  const combine = (index: number, fragments: string[], chosen: Map<string, ContextNode>) => {
    if (index === variables.length) {
      result.set(fragments.join('-'), { kind: 'map', entries: new Map(chosen), meta: loopOnly });
      return;
    }
    const variable = variables[index]!;
    for (const value of variable.values) {
      chosen.set(variable.name, value.node);
      combine(index + 1, [...fragments, value.fragment], chosen);
    }
  };
  combine(0, [], new Map());
  return result;
}
