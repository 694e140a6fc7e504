import { type TemplateContext, toContextNode } from '../params/templateContext';
import type { Tree } from './parseYamlTree';
import { treeToValue } from './parseYamlTree';
import type { StageSource } from './readStage';
import { treeHasTemplate } from './templateTree';

/**
 * Loads `vars` items into a template context in order: a string is a params file (`path` or
 * `path:key1,key2`, relative to `wdir`), a map is inline values. `${}` is not allowed inside vars.
 */
function loadVarsInto(source: StageSource, node: Tree, wdir: string, context: TemplateContext, prefix: string): void {
  const { reader } = source;
  const items = reader.list(node, 'vars') ?? [];
  for (const [index, item] of items.entries()) {
    if (treeHasTemplate(item)) {
      reader.report(
        item,
        'error',
        'interpolationNotAllowed',
        `vars cannot use \${}; write the value, or load it from a params file.`,
      );
      continue;
    }
    let error;
    if (item.kind === 'scalar' && typeof item.value === 'string') {
      error = context.loadFile(source.fs, item.value, wdir);
    } else if (item.kind === 'map') {
      const sourceName = `${prefix}vars[${index}]`;
      const contextNode = toContextNode(treeToValue(item), { source: sourceName, path: [], local: true });
      error = contextNode.kind === 'map' ? context.merge(contextNode.entries, ` (${sourceName})`) : undefined;
    } else {
      reader.wrongType(item, 'Each item of vars', 'a params file path or a map of values');
      continue;
    }
    if (!error) continue;
    reader.report(item, 'error', error.code, error.message);
    reader.problems.push(...(error.fileProblems ?? []));
  }
}

/** The pipeline's context: params.yaml next to the file (when it exists), then top-level vars. */
export function loadTopVars(source: StageSource, node: Tree | undefined, context: TemplateContext): void {
  const defaultParams = `${source.root}/params.yaml`;
  if (source.fs.stat(defaultParams)?.kind === 'file') {
    const error = context.loadFile(source.fs, 'params.yaml', source.root);
    if (error) {
      const message = `${error.message} (params.yaml is always loaded for \${} templates.)`;
      source.reader.problems.push(...(error.fileProblems ?? []));
      if (!error.fileProblems) source.reader.report({ position: { line: 1, column: 1 } }, 'error', error.code, message);
    }
  }
  if (node) loadVarsInto(source, node, source.root, context, '');
}

/** Stage vars are relative to the stage's wdir and go into a copy of the context. */
export function loadStageVars(
  source: StageSource,
  node: Tree,
  wdir: string,
  stageName: string,
  context: TemplateContext,
): TemplateContext {
  const copy = context.clone();
  loadVarsInto(source, node, wdir, copy, `${stageName}.`);
  return copy;
}
