import { parseCommandArgs } from '../argv';
import { evaluateGates } from '../../engine/deploy/evaluateGates';
import { readRegisteredModel } from '../../engine/registry/modelRegistry';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { findDeployTarget, pickVersion, withDeployPorts } from './deploy';

const usage = `Usage: mlc gate TARGET [--version N] [--json]

Checks a version (default: the newest) against the metric gates of a deploy target: thresholds
(min, max) on its metrics and champion/challenger (vs: ALIAS, max_drop) against the version the
alias points at. The smoke test (start, probe the health URL) runs as part of mlc deploy.
  --json   print {"target","model","version","passed","gates":[{"gate","passed","value","threshold","message"}]}

Exit: 0 every gate passes, 1 a gate fails (each is printed with its value and threshold), 2 bad usage.`;

export const command: CliCommand = {
  summary: "Check a model version against a target's gates",
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, version: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one TARGET (a name under deploy: in mlc.yaml).');
    const { target } = findDeployTarget(context, positionals[0]!);
    const model = readRegisteredModel(context.fs, workspaceRoot(context), target.model);
    const version = pickVersion(model, values.version as string | undefined);
    const results = evaluateGates(target.gates, version, model);
    const passed = results.every((result) => result.passed);
    await withDeployPorts(context, (ports) =>
      ports.appendAudit('gate', { target: target.name, model: target.model, version: version.version, results }),
    );
    if (values.json) {
      context.print(
        JSON.stringify(
          {
            target: target.name,
            model: target.model,
            version: version.version,
            passed,
            gates: results.map((result) => ({
              gate: result.gate,
              passed: result.passed,
              value: result.value ?? null,
              threshold: result.threshold ?? null,
              message: result.message,
            })),
          },
          null,
          2,
        ),
      );
    } else {
      const lines = results.map((result) => `${result.passed ? 'pass' : 'FAIL'}  ${result.message}`);
      if (lines.length === 0) lines.push(`${target.name} declares no metric gates.`);
      lines.push(
        `${target.model} v${version.version} ${passed ? 'passes' : 'does not pass'} the gates of ${target.name}.`,
      );
      context.print(lines.join('\n'));
    }
    return passed ? ExitCode.ok : ExitCode.failed;
  },
};
