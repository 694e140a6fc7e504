import { parseCommandArgs } from '../argv';
import { join, relative } from 'pathe';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import { readSummaryMetrics } from '../../engine/runStore/readSummaryMetrics';
import { isSafeName, registerModelVersion } from '../../engine/registry/modelRegistry';
import { isOwnerAlive } from '../../node/runStore/isOwnerAlive';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { findModelConfig, withDeployPorts } from './deploy';
import { openRunIndex, requireRun } from './runs';

const usage = `Usage: mlc register MODEL --run RUN_ID [--json]

Registers a new version of MODEL (declared under models: in mlc.yaml) from a run: its artifact
(the model's path) is copied into .mlc/registry/MODEL/versions/N/ and never changed again, with
version.json holding its md5, the source run, metrics (the model's metrics file, else the run's),
params, git commit and who (git user.name/email). For mlc's own runs the artifact must be the one
the run produced (the md5 its lock entry recorded).
  --json   print the version record

Exit: 0 registered, 1 the artifact is missing or is not the run's, 2 bad usage or unknown run.`;

export const command: CliCommand = {
  summary: 'Register a model version from a run',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, run: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one MODEL (a name under models: in mlc.yaml).');
    const name = positionals[0]!;
    const runId = values.run as string | undefined;
    if (runId === undefined) throw new UsageError('give the run to register from: --run RUN_ID (see mlc runs).');
    if (!isSafeName(name))
      throw new UsageError(`'${name}' cannot be a model name: use letters, digits, '.', '_' and '-'.`);
    const declared = findModelConfig(context, name);
    if (!declared) throw new UsageError(`no model '${name}' under models: in mlc.yaml; declare it with its path.`);
    const service = openRunIndex(context);
    let found;
    try {
      found = requireRun(await service.lookup(runId), runId);
    } finally {
      service.dispose();
    }
    const { run } = found;
    const pipelineRoot = declared.pipeline.root;
    const artifactPath = join(pipelineRoot, declared.model.path);
    const record = run.source === 'mlc' ? readRunRecord(context.fs, run.location, isOwnerAlive).value : undefined;
    const artifactKey = relative(context.cwd, artifactPath);
    const runArtifactMd5 = record?.stages.map((stage) => stage.outs?.[artifactKey]).find((md5) => md5 !== undefined);
    const metricsFile = declared.model.metrics !== undefined ? join(pipelineRoot, declared.model.metrics) : undefined;
    const metrics = { ...run.metrics, ...(metricsFile ? readSummaryMetrics(context.fs, metricsFile) : {}) };
    return withDeployPorts(context, async (ports) => {
      ports.progress(`Registering ${artifactKey} from run ${run.id} as a new version of ${name}`);
      const outcome = await registerModelVersion(ports, {
        workspaceRoot: workspaceRoot(context),
        model: name,
        artifactPath,
        runId: run.id,
        ...(runArtifactMd5 !== undefined ? { runArtifactMd5 } : {}),
        metrics,
        params: run.params,
      });
      if (!outcome.ok) {
        process.stderr.write(`mlc register: ${outcome.message}\n`);
        return ExitCode.failed;
      }
      const version = outcome.value;
      await ports.appendAudit('register', {
        model: name,
        version: version.version,
        md5: version.md5,
        sourceRun: run.id,
      });
      if (values.json) context.print(JSON.stringify(version, null, 2));
      else context.print(`Registered ${name} v${version.version} (md5 ${version.md5}) from run ${run.id}.`);
      return ExitCode.ok;
    });
  },
};
