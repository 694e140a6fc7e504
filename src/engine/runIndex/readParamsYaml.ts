import { parseDocument, visit } from 'yaml';
import type { FileSystem } from '../ports';
import { type Problem, problemAt } from '../problems';
import type { ParamValue } from '../runs/model';
import { flattenParamValues } from '../runStore/flattenNumbers';

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
  const simple = parseFlatYamlMap(text);
  if (simple) return { params: simple, problems: [] };
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
  return { params: flattenParamValues(data), problems };
}

/**
 * The common params file is a flat list of `key: scalar` lines (Lightning's hparams.yaml, most
 * DVCLive params.yaml). Those are read here without the YAML library, which costs about ten
 * times more and dominates indexing 10,000 runs. Anything beyond that shape (indentation, flow
 * collections, anchors, tags, block scalars, escapes, comments after values) returns undefined
 * and goes through the full parser. Scalars resolve as YAML 1.2's core schema does.
 */
export function parseFlatYamlMap(text: string): Record<string, ParamValue> | undefined {
  const params: Record<string, ParamValue> = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.length === 0 || line.startsWith('#')) continue;
    const separator = line.indexOf(': ');
    const key = separator < 0 ? (line.endsWith(':') ? line.slice(0, -1) : '') : line.slice(0, separator);
    if (!/^[A-Za-z_][\w.\-/]*$/.test(key)) return undefined;
    const valueText = separator < 0 ? '' : line.slice(separator + 2).trim();
    const value = resolveFlatScalar(valueText);
    if (value === undefined) return undefined;
    params[key] = value;
  }
  return params;
}

const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function resolveFlatScalar(text: string): ParamValue | undefined {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  if (CORE_INT.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  if (CORE_FLOAT.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return Number.NaN;
  const first = text[0]!;
  if (first === "'") {
    const inner = text.slice(1, -1);
    return text.length >= 2 && text.endsWith("'") && !/'(?!')/.test(inner.replace(/''/g, ''))
      ? inner.replace(/''/g, "'")
      : undefined;
  }
  if (first === '"') {
    const inner = text.slice(1, -1);
    return text.length >= 2 && text.endsWith('"') && !/["\\]/.test(inner) ? inner : undefined;
  }
  // Indicators that start something other than a plain scalar, and comments or mappings inside one.
  if ('[]{}&*!|>%@`,?:-#'.includes(first) || text.includes(' #') || text.includes(': ')) return undefined;
  if (/^0[xo]/.test(text)) return undefined;
  return text;
}
