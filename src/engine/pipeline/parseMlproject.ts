import { dirname } from 'pathe';
import { formatPythonNumber, formatPythonValue } from '../params/formatPythonValue';
import { quoteShellArgument } from '../commandLine/quoteShellArgument';
import type { Problem } from '../problems';
import type { Pipeline, Stage } from './model';
import { emptyPipeline } from './parseDvcPipeline';
import { parseYamlTree, type ScalarTree, type Tree, treeToValue } from './parseYamlTree';
import { entryKey, findEntry, TreeReader } from './treeReader';

const topLevelKeys = ['name', 'python_env', 'conda_env', 'docker_env', 'entry_points', 'databricks_spark_job'];
const environmentKeys = ['python_env', 'conda_env', 'docker_env'] as const;

/**
 * An MLflow MLproject: each entry point becomes one stage named after it, whose command has its
 * `{param}` placeholders filled from the parameter defaults the way MLflow does (str(), then
 * shell-quoted; `{{`/`}}` are literal braces). A parameter without a default keeps `{name}` and is
 * reported as a warning (MLflow asks for it at run time). Environments are recorded, not acted upon.
 * MLflow reads the file with PyYAML, so YAML 1.1 typing applies and unknown keys are only warnings.
 */
export function parseMlproject(file: string, text: string): { pipeline: Pipeline; problems: Problem[] } {
  const empty = emptyPipeline(file, 'mlproject');
  const parsed = parseYamlTree(text, file, { version: '1.1' });
  if (!parsed.tree) return { pipeline: empty, problems: parsed.problems };
  const reader = new TreeReader(file);
  const top = reader.map(parsed.tree, 'The top level of MLproject');
  if (!top) return { pipeline: empty, problems: reader.problems };
  reader.checkKeys(top, topLevelKeys, 'MLproject', 'warning');

  const environments = environmentKeys.filter((key) => findEntry(top, key));
  if (environments.length > 1) {
    const second = findEntry(top, environments[1]!)!;
    reader.report(
      second.key,
      'error',
      'conflictingEnvironments',
      `An MLproject may declare at most one of python_env, conda_env and docker_env; remove ${environments.slice(1).join(', ')}.`,
    );
  }
  const environmentKind = environments[0];
  const environment = environmentKind && {
    kind: environmentKind,
    value: treeToValue(findEntry(top, environmentKind)!.value),
  };
  const nameEntry = findEntry(top, 'name');
  const projectName = nameEntry ? reader.scalarText(nameEntry.value, 'name') : undefined;

  const stages: Stage[] = [];
  const entryPoints = findEntry(top, 'entry_points');
  const entryMap = entryPoints && reader.map(entryPoints.value, 'entry_points');
  for (const entry of entryMap?.entries ?? []) {
    const name = nameKey(entry);
    const body = reader.map(entry.value, `The entry point '${name ?? ''}'`);
    if (name === undefined || !body) continue;
    reader.checkKeys(body, ['command', 'parameters'], `the entry point '${name}'`, 'warning');
    const commandEntry = findEntry(body, 'command');
    if (!commandEntry) {
      reader.report(
        entry.key,
        'error',
        'missingField',
        `The entry point '${name}' has no command; add the command it runs.`,
      );
      continue;
    }
    const command = reader.scalarText(commandEntry.value, 'command');
    if (command === undefined) continue;
    const defaults = readParameterDefaults(reader, findEntry(body, 'parameters')?.value);
    stages.push({
      name,
      pipelineFile: file,
      cmd: fillCommand(reader, commandEntry.value, command, defaults),
      wdir: dirname(file),
      deps: [],
      params: [],
      outs: [],
      frozen: false,
      alwaysChanged: false,
      retries: 0,
      env: {},
      position: entry.key.position,
      cmdPosition: commandEntry.value.position,
    });
  }
  const pipeline: Pipeline = {
    ...empty,
    stages,
    ...(projectName !== undefined ? { projectName } : {}),
    ...(environment ? { environment } : {}),
  };
  return { pipeline, problems: reader.problems };
}

/** Parameter name -> the default as MLflow prints it, or undefined when there is none. */
function readParameterDefaults(reader: TreeReader, node: Tree | undefined): Map<string, string | undefined> {
  const defaults = new Map<string, string | undefined>();
  const map = node && reader.map(node, 'parameters');
  for (const entry of map?.entries ?? []) {
    const name = nameKey(entry);
    if (name === undefined) continue;
    const spec = entry.value;
    const defaultEntry = spec.kind === 'map' ? findEntry(spec, 'default') : undefined;
    if (spec.kind === 'map')
      reader.checkKeys(spec, ['type', 'default', 'description'], `the parameter '${name}'`, 'warning');
    const value = defaultEntry?.value;
    defaults.set(name, value && !(value.kind === 'scalar' && value.value === null) ? pythonText(value) : undefined);
  }
  return defaults;
}

/**
 * An entry point or parameter name as written: YAML 1.1 types plain `on`, `no`, `y` and `n` as
 * booleans, but a name is a name (MLflow fills `{n}` from a parameter called n).
 */
function nameKey(entry: { key: Tree }): string | undefined {
  const { key } = entry;
  if (key.kind === 'scalar' && typeof key.value === 'boolean' && key.source !== undefined) return key.source;
  return entryKey(entry);
}

/** PyYAML's YAML 1.1 booleans lack the one-letter forms the `yaml` library accepts. */
const pyyamlBool = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

const pyyamlFloat =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const pyyamlInt = /^(?:[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/;

/** Python's str() of a value as PyYAML would have typed it (`1e-1` is a string there, `.0` a float). */
function pythonText(node: Tree): string {
  if (node.kind !== 'scalar') return formatPythonValue(treeToValue(node));
  const scalar: ScalarTree = node;
  const source = scalar.source;
  if (typeof scalar.value === 'boolean' && source !== undefined && !pyyamlBool.test(source)) return source;
  const numeric = typeof scalar.value === 'number' || (typeof scalar.value === 'object' && scalar.value !== null);
  if (numeric && source !== undefined) {
    if (pyyamlFloat.test(source)) {
      const value = typeof scalar.value === 'number' ? scalar.value : Number(source.replaceAll('_', ''));
      return formatPythonNumber(value, true);
    }
    if (!pyyamlInt.test(source)) return source;
  }
  return formatPythonValue(scalar.value);
}

/** Python's str.format with named fields; values are shell-quoted as MLflow does. */
function fillCommand(
  reader: TreeReader,
  node: Tree,
  command: string,
  defaults: ReadonlyMap<string, string | undefined>,
): string {
  return command.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, field: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const name = (field ?? '').split(/[!:.[]/)[0] ?? '';
    if (!defaults.has(name)) {
      reader.report(
        node,
        'error',
        'unresolvedInterpolation',
        `The command uses {${field}}, but '${name}' is not a parameter of this entry point; declare it under parameters.`,
      );
      return match;
    }
    const value = defaults.get(name);
    if (value === undefined) {
      reader.report(
        node,
        'warning',
        'missingParameterDefault',
        `The parameter '${name}' has no default, so {${name}} stays in the command; give it a default or pass a value when running.`,
      );
      return match;
    }
    return quoteShellArgument(value);
  });
}
