import { parseCommandArgs } from '../argv';
import { resolveDeclaredModel } from '../../engine/deploy/deployTargets';
import { registerModelFromRun } from '../../node/deploy/modelLifecycle';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { withDeployPorts, workspacePipelines } from './deploy';
import { openRunIndex, requireRun } from '../runLookup';

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
    const declared = resolveDeclaredModel(workspacePipelines(context), name);
    if (!declared.ok) throw new UsageError(declared.message);
    const service = openRunIndex(context);
    let found;
    try {
      const [lookup] = await service.lookupRuns([runId], { holdIndex: false });
      found = requireRun(lookup!, runId);
    } finally {
      service.dispose();
    }
    const { run } = found;
    return withDeployPorts(context, async (ports) => {
      const outcome = await registerModelFromRun(ports, {
        workspaceRoot: workspaceRoot(context),
        declared: declared.value,
        run,
      });
      if (!outcome.ok) {
        context.printDiagnostic(`mlc register: ${outcome.message}`);
        return ExitCode.failed;
      }
      const version = outcome.value;
      if (values.json) context.print(JSON.stringify(version, null, 2));
      else context.print(`Registered ${name} v${version.version} (md5 ${version.md5}) from run ${run.id}.`);
      return ExitCode.ok;
    });
  },
};
