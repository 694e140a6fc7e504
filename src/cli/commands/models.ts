import { parseCommandArgs } from '../argv';
import { relative } from 'node:path';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import type { MlflowRegisteredModel } from '../../engine/readers/mlflow/registryModel';
import { readModelRegistry, type RegisteredModel } from '../../engine/registry/modelRegistry';
import { type CliCommand, type CliContext, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { openRunIndex } from '../runLookup';
import { formatTable } from '../tableOutput';

const usage = `Usage: mlc models [--json]

Lists models with their versions and aliases: mlc's registry (.mlc/registry/, models declared under
models: in mlc.yaml appear even before their first version) and, read-only, the model registries of
MLflow stores here (mlruns/models/ and mlflow.db).
  --json   print {"models":[{"name","source","location","aliases":{},"versions":[{"version",
           "aliases","sourceRun","md5","metrics","createdAt","who","commit"}]}]}; source is mlc or mlflow

Exit: 0 listed (even none), 2 bad usage.`;

export const command: CliCommand = {
  summary: 'List registered models, versions and aliases (mlc and MLflow)',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'.`);
    const registry = readModelRegistry(context.fs, workspaceRoot(context));
    for (const problem of registry.problems) context.logger.warn(`${problem.message} [${problem.code}]`);
    const declared = loadWorkspace(context.fs, workspaceRoot(context), { signal: context.signal }).pipelines.flatMap(
      (pipeline) => pipeline.models,
    );
    const models = [
      ...registry.models.map((model) => mlcModelJson(model)),
      ...declared
        .filter((model) => !registry.models.some((registered) => registered.name === model.name))
        .map((model) => mlcModelJson({ name: model.name, versions: [], aliases: {} })),
      ...(await mlflowModels(context)),
    ];
    if (values.json) {
      context.print(JSON.stringify({ models }, null, 2));
    } else if (models.length === 0) {
      context.print(
        'No models: declare one under models: in mlc.yaml and register it with mlc register MODEL --run RUN_ID.',
      );
    } else {
      const rows = models.flatMap((model) =>
        model.versions.length === 0
          ? [[model.name, model.source, '-', '', 'no versions yet']]
          : model.versions.map((version) => [
              model.name,
              model.source,
              `v${version.version}`,
              version.aliases.join(','),
              version.sourceRun ?? '',
            ]),
      );
      context.print(formatTable(['MODEL', 'SOURCE', 'VERSION', 'ALIASES', 'RUN'], rows));
    }
    return ExitCode.ok;
  },
};

function aliasesOf(aliases: Readonly<Record<string, number>>, version: number): string[] {
  return Object.keys(aliases)
    .filter((alias) => aliases[alias] === version)
    .sort();
}

function mlcModelJson(model: RegisteredModel) {
  return {
    name: model.name,
    source: 'mlc',
    location: '.mlc/registry',
    aliases: model.aliases,
    versions: model.versions.map((version) => ({
      version: version.version,
      aliases: aliasesOf(model.aliases, version.version),
      sourceRun: version.sourceRun as string | null,
      md5: version.md5 as string | null,
      metrics: version.metrics,
      createdAt: version.createdAt as string | null,
      who: version.who as string | null,
      commit: version.commit,
    })),
  };
}

async function mlflowModels(context: CliContext) {
  const service = openRunIndex(context);
  try {
    const listing = await service.mlflowRegistries(context.signal);
    for (const problem of listing.problems) context.logger.warn(`${problem.message} [${problem.code}]`);
    return listing.registries.flatMap((registry) => {
      const location = relative(context.cwd, registry.location) || '.';
      return registry.models.map((model) => mlflowModelJson(model, location));
    });
  } finally {
    service.dispose();
  }
}

function mlflowModelJson(model: MlflowRegisteredModel, location: string) {
  return {
    name: model.name,
    source: 'mlflow',
    location,
    aliases: model.aliases,
    versions: model.versions.map((version) => ({
      version: version.version,
      aliases: [...version.aliases],
      sourceRun: version.runId === undefined ? null : `mlflow:${version.runId}`,
      md5: null,
      metrics: {},
      createdAt: version.createdAt === undefined ? null : new Date(version.createdAt).toISOString(),
      who: version.userId ?? null,
      commit: null,
    })),
  };
}
