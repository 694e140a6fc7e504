import { join, normalize } from 'pathe';
import type { TemplateContext } from '../params/templateContext';
import type { FileSystem } from '../ports';
import { loadStageVars } from './loadVars';
import type { Output, ParamDependency, PathEntry, PipelineKind, PlotProps, SourcePosition, Stage } from './model';
import { parseDuration } from './parseDuration';
import { checkRunnerName } from './readMlcSections';
import type { MapTree, Tree } from './parseYamlTree';
import { templateTree } from './templateTree';
import { entryKey, findEntry, type TreeReader } from './treeReader';

export const dvcStageKeys = [
  'cmd',
  'wdir',
  'deps',
  'params',
  'outs',
  'metrics',
  'plots',
  'frozen',
  'always_changed',
  'desc',
  'meta',
  'vars',
] as const;
export const mlcStageKeys = [...dvcStageKeys, 'runner', 'timeout', 'retries', 'env'] as const;

const outFlags = ['cache', 'persist', 'checkpoint', 'remote', 'push', 'desc', 'type', 'labels', 'meta'];
const plotFlags = [...outFlags, 'template', 'x', 'y', 'x_label', 'y_label', 'title', 'header'];

export interface StageSource {
  readonly fs: FileSystem;
  readonly file: string;
  readonly root: string;
  readonly kind: PipelineKind;
  readonly reader: TreeReader;
  /** mlc.yaml: `local` and the runners declared in the file. */
  readonly runnerNames?: ReadonlySet<string>;
}

/**
 * Turns one stage body (already chosen from foreach/matrix, not yet templated) into a Stage:
 * stage `vars` and `wdir` first, then every other key templated with `key` telling `${}` where
 * it is (only `cmd` may unpack a map), then typed and checked.
 */
export function readStage(
  source: StageSource,
  body: MapTree,
  naming: { name: string; group?: string; position: SourcePosition },
  context: TemplateContext,
): Stage | undefined {
  const { reader } = source;
  let stageContext = context;
  const wdirEntry = findEntry(body, 'wdir');
  let wdirText = '.';
  if (wdirEntry) {
    const rendered = templateTree(wdirEntry.value, context, reader, { key: 'wdir' });
    wdirText =
      (rendered.kind === 'scalar' && rendered.value === null ? '.' : reader.scalarText(rendered, 'wdir')) ?? '.';
  }
  const wdir = normalize(join(source.root, wdirText));
  const varsEntry = findEntry(body, 'vars');
  if (varsEntry) stageContext = loadStageVars(source, varsEntry.value, wdir, naming.name, context);

  const rendered = new Map<string, Tree>();
  stageContext.tracking(() => {
    for (const entry of body.entries) {
      const key = entryKey(entry);
      if (key === undefined || key === 'vars') continue;
      // wdir is rendered again while tracking, as DVC does, so the values it uses are recorded.
      const value = templateTree(entry.value, stageContext, reader, { key });
      if (key !== 'wdir') rendered.set(key, value);
    }
  });

  const cmdNode = rendered.get('cmd');
  let cmd: string | string[] | undefined;
  if (!cmdNode) {
    reader.report(
      { position: naming.position },
      'error',
      'missingField',
      `Stage '${naming.name}' has no cmd; add the command it runs.`,
    );
  } else if (cmdNode.kind === 'seq') {
    cmd = cmdNode.items
      .map((item) => reader.scalarText(item, 'Each command of cmd'))
      .filter((text) => text !== undefined);
  } else {
    cmd = reader.scalarText(cmdNode, 'cmd');
  }

  const deps: PathEntry[] = [];
  const depsNode = rendered.get('deps');
  if (depsNode)
    for (const { value, node } of reader.stringList(depsNode, 'deps'))
      deps.push({ path: value, position: node.position });

  const outs: Output[] = [];
  for (const kind of ['outs', 'metrics', 'plots'] as const) {
    const node = rendered.get(kind);
    if (node) readOutputs(reader, node, kind, outs);
  }

  const optionalBoolean = (key: string) => {
    const node = rendered.get(key);
    return node ? (reader.boolean(node, key) ?? false) : false;
  };
  const descNode = rendered.get('desc');
  const desc = descNode ? reader.string(descNode, 'desc') : undefined;

  const params = readParams(reader, rendered.get('params'));
  const wdirPath = wdirEntry && wdirText.includes('\0') ? [{ path: wdirText, position: wdirEntry.value.position }] : [];
  const paramsFiles = params.map((param) => ({ path: param.file, position: param.position }));
  const nulPaths = [...wdirPath, ...deps, ...outs, ...paramsFiles].filter((entry) => entry.path.includes('\0'));
  if (nulPaths.length > 0) {
    // No file can be named so (the OS refuses the path, and node's fs throws on it): the stage
    // is left out, so nothing stats, hashes, deletes or runs in it.
    for (const { path, position } of nulPaths) {
      const shown = JSON.stringify(path).slice(1, -1);
      const message = `The path '${shown}' holds a NUL byte, which no file name can; stage '${naming.name}' is left out until it is fixed.`;
      reader.report({ position }, 'error', 'invalidPath', message);
    }
    return undefined;
  }

  const stage: Stage = {
    name: naming.name,
    ...(naming.group !== undefined ? { group: naming.group } : {}),
    pipelineFile: source.file,
    cmd: cmd ?? '',
    wdir,
    deps,
    params,
    outs,
    frozen: optionalBoolean('frozen'),
    alwaysChanged: optionalBoolean('always_changed'),
    ...(desc !== undefined ? { desc } : {}),
    retries: 0,
    env: {},
    position: naming.position,
    ...(cmdNode ? { cmdPosition: cmdNode.position } : {}),
  };
  return source.kind === 'mlc' ? { ...stage, ...readMlcStageKeys(reader, rendered, source.runnerNames) } : stage;
}

function readOutputs(reader: TreeReader, node: Tree, kind: 'outs' | 'metrics' | 'plots', into: Output[]): void {
  const outputKind = kind === 'outs' ? 'out' : kind === 'metrics' ? 'metric' : 'plot';
  for (const item of reader.list(node, kind) ?? []) {
    if (item.kind === 'scalar' && typeof item.value === 'string') {
      into.push({ path: item.value, position: item.position, kind: outputKind, cache: true, persist: false });
      continue;
    }
    if (item.kind !== 'map') {
      reader.wrongType(item, `Each item of ${kind}`, 'a path or a map of a path to its flags');
      continue;
    }
    for (const entry of item.entries) {
      const path = reader.string(entry.key, `An output path in ${kind}`);
      if (path === undefined) continue;
      // Plot flags may be a list of flag maps; the first one configures the plot.
      const flagsNode = entry.value.kind === 'seq' && kind === 'plots' ? entry.value.items[0] : entry.value;
      const output = readOutputFlags(reader, flagsNode, kind, path, entry.key.position, outputKind);
      into.push(output);
    }
  }
}

function readOutputFlags(
  reader: TreeReader,
  flagsNode: Tree | undefined,
  kind: string,
  path: string,
  position: SourcePosition,
  outputKind: Output['kind'],
): Output {
  let cache = true;
  let persist = false;
  const extra: { remote?: string; push?: boolean; desc?: string } = {};
  const plot: { -readonly [K in keyof PlotProps]: PlotProps[K] } = {};
  const flags =
    flagsNode === undefined || (flagsNode.kind === 'scalar' && flagsNode.value === null)
      ? undefined
      : reader.map(flagsNode, `The flags of ${path}`);
  if (flags) {
    reader.checkKeys(flags, kind === 'plots' ? plotFlags : outFlags, `the flags of ${path}`);
    for (const entry of flags.entries) {
      const key = entryKey(entry);
      const value = entry.value;
      if (key === 'cache') cache = reader.boolean(value, 'cache') ?? cache;
      else if (key === 'persist') persist = reader.boolean(value, 'persist') ?? persist;
      else if (key === 'checkpoint' || key === 'header' || key === 'push') {
        const flag = reader.boolean(value, key);
        if (key === 'header' && flag !== undefined) plot.header = flag;
        if (key === 'push' && flag !== undefined) extra.push = flag;
      } else if (key === 'remote' || key === 'desc' || key === 'type') {
        const text = reader.string(value, key);
        if (text !== undefined && key !== 'type') extra[key] = text;
      } else if (key === 'labels') reader.stringList(value, 'labels');
      else if (key === 'template' || key === 'x' || key === 'title' || key === 'x_label' || key === 'y_label') {
        const text = reader.scalarText(value, key);
        if (text === undefined) continue;
        if (key === 'x_label') plot.xLabel = text;
        else if (key === 'y_label') plot.yLabel = text;
        else plot[key] = text;
      } else if (key === 'y') {
        plot.y =
          value.kind === 'seq'
            ? reader.stringList(value, 'y').map((item) => item.value)
            : reader.scalarText(value, 'y');
      }
    }
  }
  const hasPlotProps = outputKind === 'plot' && Object.keys(plot).length > 0;
  return { path, position, kind: outputKind, cache, persist, ...extra, ...(hasPlotProps ? { plot } : {}) };
}

/**
 * DVC's `_merge_params`: strings are keys of params.yaml; `{file: [keys]}` adds keys; `{file: null}`
 * or `{file: []}` tracks the whole file, which drops any specific keys of that file.
 */
function readParams(reader: TreeReader, node: Tree | undefined): ParamDependency[] {
  if (!node) return [];
  const byFile = new Map<
    string,
    { keys: string[] | 'all'; position: SourcePosition; keyPositions: SourcePosition[] }
  >();
  const add = (file: string, position: SourcePosition, key?: { value: string; position: SourcePosition }) => {
    const current = byFile.get(file) ?? { keys: [], position, keyPositions: [] };
    byFile.set(file, current);
    if (key === undefined) {
      current.keys = 'all';
      current.keyPositions = [];
    } else if (current.keys !== 'all' && !current.keys.includes(key.value)) {
      current.keys.push(key.value);
      current.keyPositions.push(key.position);
    }
  };
  const items = reader.list(node, 'params') ?? [];
  const wholeFiles = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'map') continue;
    for (const entry of item.entries) {
      const isEmpty =
        (entry.value.kind === 'scalar' && entry.value.value === null) ||
        (entry.value.kind === 'seq' && entry.value.items.length === 0);
      const file = entryKey(entry);
      if (isEmpty && file !== undefined) wholeFiles.add(file);
    }
  }
  for (const item of items) {
    if (item.kind === 'scalar' && typeof item.value === 'string') {
      if (wholeFiles.has('params.yaml')) add('params.yaml', item.position);
      else add('params.yaml', item.position, { value: item.value, position: item.position });
      continue;
    }
    if (item.kind !== 'map') {
      reader.wrongType(item, 'Each item of params', 'a key of params.yaml or a map of a params file to its keys');
      continue;
    }
    for (const entry of item.entries) {
      const file = reader.string(entry.key, 'A params file name');
      if (file === undefined) continue;
      if (wholeFiles.has(file)) {
        add(file, entry.key.position);
        continue;
      }
      for (const key of reader.stringList(entry.value, `The keys of ${file}`)) {
        add(file, entry.key.position, { value: key.value, position: key.node.position });
      }
    }
  }
  return [...byFile].map(([file, { keys, position, keyPositions }]) => ({
    file,
    keys,
    position,
    ...(keys === 'all' ? {} : { keyPositions }),
  }));
}

function readMlcStageKeys(
  reader: TreeReader,
  rendered: ReadonlyMap<string, Tree>,
  runnerNames: ReadonlySet<string> = new Set(['local']),
): Partial<Stage> {
  const result: { runner?: string; timeoutMs?: number; retries?: number; env?: Record<string, string> } = {};
  const runner = rendered.get('runner');
  if (runner) {
    const name = reader.string(runner, 'runner');
    if (name !== undefined) result.runner = name;
    if (name !== undefined) checkRunnerName(reader, runner, name, runnerNames);
  }
  const timeout = rendered.get('timeout');
  if (timeout) {
    const parsed = timeout.kind === 'scalar' ? parseDuration(timeout.value) : undefined;
    if (parsed === undefined) {
      reader.report(
        timeout,
        'error',
        'wrongType',
        `timeout must be a duration such as 90s, 10m, 2h or 1h30m, or a number of seconds.`,
      );
    } else result.timeoutMs = parsed;
  }
  const retries = rendered.get('retries');
  if (retries) {
    const count = reader.number(retries, 'retries');
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
      reader.report(retries, 'error', 'wrongType', 'retries must be a whole number of 0 or more.');
    } else if (count !== undefined) result.retries = count;
  }
  const env = rendered.get('env');
  if (env) {
    const map = reader.map(env, 'env');
    result.env = {};
    for (const entry of map?.entries ?? []) {
      const key = reader.string(entry.key, 'An environment variable name');
      const value = reader.scalarText(entry.value, `The value of ${key ?? 'an environment variable'}`);
      if (key !== undefined && value !== undefined) result.env[key] = value;
    }
  }
  return result;
}
