import { dirname } from 'pathe';
import { unboxPythonFloats } from '../params/formatPythonValue';
import { TemplateContext } from '../params/templateContext';
import type { FileSystem } from '../ports';
import type { Problem } from '../problems';
import { expandStages } from './expandStages';
import { loadTopVars } from './loadVars';
import type { Pipeline, Stage } from './model';
import { parseYamlTree, type Tree } from './parseYamlTree';
import { readAlerts, readDeployTargets, readModels, readRunners } from './readMlcSections';
import { readArtifacts, readDatasets, readFileList, readPlotDefinitions } from './readTopLevelSections';
import { templateTree } from './templateTree';
import { entryKey, TreeReader } from './treeReader';

const dvcTopLevelKeys = ['stages', 'vars', 'params', 'metrics', 'plots', 'artifacts', 'datasets'];
const mlcTopLevelKeys = [...dvcTopLevelKeys, 'runners', 'models', 'deploy', 'alerts'];

export function emptyPipeline(file: string, kind: Pipeline['kind']): Pipeline {
  return {
    file,
    kind,
    root: dirname(file),
    stages: [],
    runners: [],
    models: [],
    deploy: [],
    alerts: [],
    paramsFiles: [],
    metricsFiles: [],
    templateParams: {},
  };
}

/**
 * dvc.yaml and mlc.yaml: the same stage schema (DVC's), with mlc.yaml adding stage keys (runner,
 * timeout, retries, env) and top-level sections (runners, models, deploy, alerts).
 */
export function parseDvcPipeline(
  fs: FileSystem,
  file: string,
  text: string,
  kind: 'dvc' | 'mlc',
): { pipeline: Pipeline; problems: Problem[] } {
  const parsed = parseYamlTree(text, file);
  const empty = emptyPipeline(file, kind);
  if (!parsed.tree) return { pipeline: empty, problems: parsed.problems };
  const reader = new TreeReader(file);
  const top = parsed.tree;
  if (top.kind === 'scalar' && top.value === null) return { pipeline: empty, problems: [] };
  const topMap = reader.map(top, `The top level of ${kind === 'dvc' ? 'dvc.yaml' : 'mlc.yaml'}`);
  if (!topMap) return { pipeline: empty, problems: reader.problems };
  reader.checkKeys(topMap, kind === 'mlc' ? mlcTopLevelKeys : dvcTopLevelKeys, 'the top level');
  const sections = new Map<string, Tree>();
  for (const entry of topMap.entries) {
    const key = entryKey(entry);
    if (key !== undefined) sections.set(key, entry.value);
  }

  const context = new TemplateContext(empty.root);
  const templated = (key: string) => {
    const node = sections.get(key);
    return node && templateTree(node, context, reader, { allowCollections: true });
  };
  loadTopVars({ fs, file, root: empty.root, kind, reader }, sections.get('vars'), context);
  // Runners first: stages and deploy targets are checked against their names.
  const runners = kind === 'mlc' ? readRunners(reader, templated('runners')) : [];
  const runnerNames = new Set(['local', ...runners.map((runner) => runner.name)]);
  const source = { fs, file, root: empty.root, kind, reader, runnerNames };
  const stagesNode = sections.get('stages');
  const stages = stagesNode ? expandStages(source, stagesNode, context) : [];

  const plots = readPlotDefinitions(reader, templated('plots'));
  const artifacts = readArtifacts(reader, templated('artifacts'));
  const datasets = readDatasets(reader, templated('datasets'));
  const deploy = kind === 'mlc' ? readDeployTargets(reader, templated('deploy'), runnerNames) : [];
  const pipeline: Pipeline = {
    ...empty,
    stages,
    paramsFiles: readFileList(reader, templated('params'), 'params'),
    metricsFiles: readFileList(reader, templated('metrics'), 'metrics'),
    runners,
    models: kind === 'mlc' ? readModels(reader, templated('models')) : [],
    deploy,
    alerts: kind === 'mlc' ? readAlerts(reader, templated('alerts'), new Set(deploy.map((target) => target.name))) : [],
    templateParams: trackedParams(context),
    ...(sections.has('plots') ? { plots } : {}),
    ...(sections.has('artifacts') ? { artifacts } : {}),
    ...(sections.has('datasets') ? { datasets } : {}),
  };
  checkDuplicateStageNames(reader, stages);
  if (kind === 'mlc') checkModelReferences(reader, pipeline);
  return { pipeline, problems: reader.problems };
}

function trackedParams(context: TemplateContext): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [file, values] of context.tracked) {
    result[file] = Object.fromEntries([...values].map(([key, value]) => [key, unboxPythonFloats(value)]));
  }
  return result;
}

function checkDuplicateStageNames(reader: TreeReader, stages: readonly Stage[]): void {
  const seen = new Map<string, Stage>();
  for (const stage of stages) {
    const previous = seen.get(stage.name);
    if (!previous) {
      seen.set(stage.name, stage);
      continue;
    }
    const message = `Two stages are named '${stage.name}' (the other is at line ${previous.position.line}); rename one.`;
    reader.report({ position: stage.position }, 'error', 'duplicateStageName', message);
  }
}

/** Deploy targets should deploy a model declared under models. */
function checkModelReferences(reader: TreeReader, pipeline: Pipeline): void {
  const models = new Set(pipeline.models.map((model) => model.name));
  for (const target of pipeline.deploy) {
    if (target.model === '' || models.has(target.model)) continue;
    const message = `The deploy target '${target.name}' deploys the model '${target.model}', which is not declared under models; declare it or fix the name.`;
    reader.report({ position: target.position }, 'warning', 'unknownModel', message);
  }
}
