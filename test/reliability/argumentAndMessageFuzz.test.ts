import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { type CliCommand, ExitCode } from '../../src/cli/cliContext';
import { describeCommandFailure } from '../../src/cli/commandFailure';
import { command as validateCommand } from '../../src/cli/commands/validate';
import { command as statusCommand } from '../../src/cli/commands/status';
import { command as dagCommand } from '../../src/cli/commands/dag';
import { command as runsCommand } from '../../src/cli/commands/runs';
import { command as showCommand } from '../../src/cli/commands/show';
import { command as metricsCommand } from '../../src/cli/commands/metrics';
import { command as compareCommand } from '../../src/cli/commands/compare';
import { command as auditCommand } from '../../src/cli/commands/audit';
import { command as modelsCommand } from '../../src/cli/commands/models';
import { command as deploymentsCommand } from '../../src/cli/commands/deployments';
import { command as reportCommand } from '../../src/cli/commands/report';
import { command as plotsCommand } from '../../src/cli/commands/plots';
import { compareActionValidators } from '../../src/protocol/compare';
import { deployActionValidators } from '../../src/protocol/deploy';
import { metricChartsActionValidators } from '../../src/protocol/metricCharts';
import { pipelineGraphActionValidators } from '../../src/protocol/pipelineGraph';
import { plotsActionValidators } from '../../src/protocol/plots';
import { runDetailsActionValidators } from '../../src/protocol/runDetails';
import { runHistoryActionValidators } from '../../src/protocol/runHistory';
import { type MessageValidators, parseMessage } from '../../src/protocol/validateMessage';
import { createWorkspace } from '../support/mlcCli';
import { recordingCliContext } from '../support/recordingCliContext';
import { iterations, printFigure, reliabilitySeed } from './support/soak';

/**
 * The two other ways input reaches mlc: command-line arguments (every read-only command, in
 * process, on a real workspace) and messages from a panel's webview (every panel's validators).
 * Bad arguments are usage errors (exit 2) or failed checks, never an internal error (exit 3); a
 * message of the wrong shape is refused with a reason, never acted on, never a throw.
 */

const counts = new Map<string, number>();
after(() => {
  for (const [what, count] of counts) printFigure(`fuzz ${what}: ${count} inputs`);
});
const runs = iterations(400, 4000);

/** The commands that never write: fuzzed in-process (statically imported: the tier runs on tsx's CommonJS hook). */
const readOnlyCommandTable: Record<string, CliCommand> = {
  validate: validateCommand,
  status: statusCommand,
  dag: dagCommand,
  runs: runsCommand,
  show: showCommand,
  metrics: metricsCommand,
  compare: compareCommand,
  audit: auditCommand,
  models: modelsCommand,
  deployments: deploymentsCommand,
  report: reportCommand,
  plots: plotsCommand,
};
const readOnlyCommands = Object.keys(readOnlyCommandTable);

const argument = fc.oneof(
  fc.constantFrom(
    '--json',
    '--verbose',
    '--limit',
    '--last',
    '--source',
    '--dot',
    '--mermaid',
    '--all',
    '-j',
    '-j=2',
    '--jobs=0',
    '--',
    '-',
    '--limit=-1',
    '--limit=1e99',
    '--source=../../etc',
    'train',
    'dvc.yaml:train',
    '../outside',
    '/etc/passwd',
    '~',
    'mlc-00000000',
    '\u0000',
    '\x1b]0;title\x07',
    '\x1b[2J',
    '$(touch pwned)',
    '`id`',
    'a'.repeat(10_000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 10 }).map((text) => `--${text}`),
);

test(
  'random arguments to every read-only command end in exit 0, 1 or 2, never an internal error (3)',
  { timeout: 600_000 },
  async () => {
    const workspace = createWorkspace({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'dvc.yaml': 'stages:\n  train:\n    cmd: echo hi > out.txt\n    outs:\n      - out.txt\n',
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...readOnlyCommands),
        fc.array(argument, { maxLength: 6 }),
        async (name, args) => {
          const { context } = recordingCliContext(workspace, AbortSignal.timeout(60_000));
          let code: number;
          try {
            code = await readOnlyCommandTable[name]!.run(args, context);
          } catch (error) {
            const failure = describeCommandFailure(name, error, false);
            assert.notEqual(failure.code, ExitCode.internal, `mlc ${name} ${JSON.stringify(args)}: ${failure.text}`);
            code = failure.code;
          }
          assert.ok([ExitCode.ok, ExitCode.failed, ExitCode.usage].includes(code as 0), `exit ${code}`);
          counts.set(`CLI arguments (mlc ${name})`, (counts.get(`CLI arguments (mlc ${name})`) ?? 0) + 1);
        },
      ),
      { numRuns: runs * readOnlyCommands.length, seed: reliabilitySeed },
    );
  },
);

const panels: Record<string, MessageValidators<{ type: string }>> = {
  compare: compareActionValidators,
  deploy: deployActionValidators,
  metricCharts: metricChartsActionValidators,
  pipelineGraph: pipelineGraphActionValidators,
  plots: plotsActionValidators,
  runDetails: runDetailsActionValidators,
  runHistory: runHistoryActionValidators,
};

test('webview messages of any shape are parsed or refused with a reason, never a throw', { timeout: 600_000 }, () => {
  for (const [panel, validators] of Object.entries(panels)) {
    const types = Object.keys(validators);
    const message = fc.oneof(
      fc.anything(),
      fc.record({ type: fc.constantFrom(...types) }, { requiredKeys: [] }),
      fc
        .tuple(fc.constantFrom(...types), fc.dictionary(fc.string({ maxLength: 12 }), fc.anything()))
        .map(([type, fields]) => ({ ...fields, type })),
      fc.constantFrom(
        null,
        undefined,
        [],
        'ready',
        { type: '__proto__' },
        { type: 'constructor' },
        { type: 'toString' },
      ),
    );
    let refused = 0;
    fc.assert(
      fc.property(message, (value) => {
        const parsed = parseMessage(value, validators);
        if (parsed.ok) assert.ok(types.includes(parsed.message.type));
        else {
          refused++;
          assert.ok(parsed.reason.length > 0);
        }
        counts.set(`webview messages (${panel})`, (counts.get(`webview messages (${panel})`) ?? 0) + 1);
      }),
      { numRuns: iterations(2000, 20_000), seed: reliabilitySeed },
    );
    assert.ok(refused > 0, `${panel}: random messages were all accepted`);
  }
});
