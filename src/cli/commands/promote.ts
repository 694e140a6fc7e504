import { parseCommandArgs, parseCount } from '../argv';
import { promoteModelAlias } from '../../node/deploy/modelLifecycle';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { withDeployPorts } from './deploy';

const usage = `Usage: mlc promote MODEL VERSION --alias ALIAS

Points ALIAS (staging, production, any name) at VERSION of MODEL; the alias moves from the version
it pointed at before. Gates with vs: ALIAS compare against the version holding it.

Exit: 0 promoted, 1 no such version, 2 bad usage.`;

export const command: CliCommand = {
  summary: 'Point an alias at a model version',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, alias: { type: 'string' } });
    if (positionals.length !== 2) throw new UsageError('give MODEL and VERSION.');
    const alias = values.alias as string | undefined;
    if (alias === undefined) throw new UsageError('give the alias to move: --alias ALIAS.');
    const [model, versionText] = positionals as [string, string];
    const version = parseCount('VERSION', versionText);
    const outcome = await withDeployPorts(context, (ports) =>
      promoteModelAlias(ports, { workspaceRoot: workspaceRoot(context), model, version, alias }),
    );
    if (!outcome.ok) {
      context.printDiagnostic(`mlc promote: ${outcome.message}`);
      return ExitCode.failed;
    }
    const previous = outcome.value.previous;
    context.print(
      `${model}@${alias} -> v${version}${previous !== undefined && previous !== version ? ` (was v${previous})` : ''}.`,
    );
    return ExitCode.ok;
  },
};
