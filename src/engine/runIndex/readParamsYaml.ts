import { parseDocument, visit } from 'yaml';
import type { FileSystem } from '../ports';
import { type Problem, problemAt } from '../problems';
import type { ParamValue } from '../runs/model';

/**
 * Reads a params file written by a logger (DVCLive's params.yaml, Lightning's hparams.yaml) into
 * flattened params (`optimizer.lr`). Never throws: a missing file gives no params, malformed YAML
 * gives what could be read plus a located problem. Python-specific tags that a safe loader does
 * not know (`!!python/name:torch.optim.adam.Adam ''`) keep the tagged name as a string.
 */
export function readParamsYaml(
  fs: FileSystem,
  path: string,
): { readonly params: Record<string, ParamValue>; readonly problems: readonly Problem[] } {
  let text: string;
  try {
    if (!fs.stat(path)) return { params: {}, problems: [] };
    text = fs.readText(path);
  } catch (error) {
    return {
      params: {},
      problems: [
        problemAt(path, undefined, 'warning', 'paramsUnreadable', `Cannot read the params file: ${String(error)}`),
      ],
    };
  }
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const problems = document.errors.map((error) =>
    problemAt(
      path,
      error.linePos?.[0] ? { line: error.linePos[0].line, column: error.linePos[0].col } : undefined,
      'warning',
      'paramsYamlInvalid',
      `${error.message.split('\n')[0]} Fix the YAML; params read so far are shown.`,
    ),
  );
  visit(document, {
    Scalar(_key, node) {
      const tag = node.tag ?? '';
      const pythonName = /python\/(?:name|module|object(?:\/apply)?):(.*)$/.exec(tag);
      if (pythonName && (node.value === '' || node.value === null)) node.value = pythonName[1];
    },
  });
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    problems.push(
      problemAt(path, undefined, 'warning', 'paramsYamlInvalid', `Cannot read the params: ${String(error)}`),
    );
    data = undefined;
  }
  const params: Record<string, ParamValue> = {};
  flattenParams(data, '', params);
  return { params, problems };
}

/** Flattens nested maps with dots; lists and other objects become their JSON text. */
export function flattenParams(value: unknown, prefix: string, into: Record<string, ParamValue>): void {
  if (value === null || value === undefined) {
    if (prefix) into[prefix] = null;
    return;
  }
  if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) into[prefix] = '{}';
    for (const [key, child] of entries) flattenParams(child, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  if (!prefix) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into[prefix] = value;
  else if (value instanceof Date) into[prefix] = value.toISOString();
  else into[prefix] = JSON.stringify(value);
}
