import { nodeFileSystem } from '../node/nodeFileSystem';
import { killStageGroups } from '../node/process/stageGroups';
import { releaseHeldLocks } from '../node/runStore/createWorkspaceLock';
import { createStderrLogger } from '../node/stderrLogger';
import { type CliCommand, type CliContext, ExitCode } from './cliContext';
import { describeCommandFailure } from './commandFailure';
import { terminalSafeLogger, terminalText } from './terminalText';

/**
 * The `mlc` command: finds the subcommand, builds the context, maps errors to exit codes.
 * Each subcommand lives in ./commands/<name>.ts and exports `command: CliCommand`.
 */
const commands: Record<string, () => Promise<{ command: CliCommand }>> = {
  // One line per subcommand; keep alphabetical.
  audit: () => import('./commands/audit'),
  ci: () => import('./commands/ci'),
  compare: () => import('./commands/compare'),
  dag: () => import('./commands/dag'),
  deploy: () => import('./commands/deploy'),
  deployments: () => import('./commands/deployments'),
  gate: () => import('./commands/gate'),
  init: () => import('./commands/init'),
  metrics: () => import('./commands/metrics'),
  plots: () => import('./commands/plots'),
  models: () => import('./commands/models'),
  promote: () => import('./commands/promote'),
  pull: () => import('./commands/pull'),
  push: () => import('./commands/push'),
  register: () => import('./commands/register'),
  report: () => import('./commands/report'),
  rollback: () => import('./commands/rollback'),
  run: () => import('./commands/run'),
  runs: () => import('./commands/runs'),
  show: () => import('./commands/show'),
  status: () => import('./commands/status'),
  stop: () => import('./commands/stop'),
  undeploy: () => import('./commands/undeploy'),
  validate: () => import('./commands/validate'),
};

/** Printed after every command's usage: the exit codes all commands share beyond their own. */
const COMMON_EXIT_CODES =
  'Every command: 2 bad usage (one line on stderr), 3 internal error (a bug in mlc; --verbose prints the stack).';

function helpText(): string {
  const lines = Object.keys(commands)
    .sort()
    .map((name) => `  mlc ${name}`);
  return [
    'Usage: mlc <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'mlc <command> --help (or mlc help <command>) for details.',
    'Exit: 0 success, 1 a check or a stage failed, 2 bad usage or unreadable input, 3 internal error.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) {
    // `mlc help run` is `mlc run --help`.
    [name, rest] = [rest[0], ['--help']];
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    process.stdout.write('mlc 0.1.0\n');
    return ExitCode.ok;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(`mlc: unknown command '${terminalText(name)}'; mlc --help lists the commands.\n`);
    return ExitCode.usage;
  }
  const { command } = await load();
  const options = rest.slice(0, endOfOptions(rest));
  if (options.includes('--help') || options.includes('-h')) {
    process.stdout.write(`${command.usage}\n\n${COMMON_EXIT_CODES}\n`);
    return ExitCode.ok;
  }
  const verbose = options.includes('--verbose');
  const abort = new AbortController();
  const onSignal = () => {
    if (!abort.signal.aborted) {
      abort.abort();
      return;
    }
    escalate();
  };
  const { stopsOnSignal } = command;
  if (typeof stopsOnSignal === 'function' ? stopsOnSignal(options) : stopsOnSignal) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const context: CliContext = {
      cwd: process.cwd(),
      fs: nodeFileSystem,
      logger: terminalSafeLogger(createStderrLogger(verbose)),
      print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
      printDiagnostic: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
      signal: abort.signal,
    };
    return await command.run(rest, context);
  } catch (error) {
    const failure = describeCommandFailure(name, error, verbose);
    process.stderr.write(failure.text);
    return failure.code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Arguments after `--` are positionals, never options such as --help. */
function endOfOptions(args: readonly string[]): number {
  const index = args.indexOf('--');
  return index === -1 ? args.length : index;
}

/** After a second Ctrl-C, how long the run may take to record its end before mlc exits anyway. */
const FORCED_EXIT_MS = 3000;

/**
 * A second Ctrl-C (or SIGTERM) while the first one is still being honoured: the person wants out
 * now. Stages are killed at once (no SIGTERM grace), so the run normally ends and records itself
 * within moments; if anything still holds the process, it exits anyway after giving back the
 * workspace lock, so neither a stage nor the lock outlives it.
 */
function escalate(): void {
  process.stderr.write('mlc: stopping now: killing the running stages.\n');
  killStageGroups('SIGKILL');
  setTimeout(() => {
    releaseHeldLocks();
    process.exit(ExitCode.failed);
  }, FORCED_EXIT_MS).unref();
}

/** What stdin, stdout and stderr show as in getActiveResourcesInfo (a pipe, or a terminal). */
const STDIO_RESOURCES: ReadonlySet<string> = new Set(['PipeWrap', 'TTYWrap']);

/**
 * Once the command has answered and nothing is left to wait for (no timer, child, worker, socket,
 * file operation or unflushed output: at most the three stdio handles), exits at once instead of
 * letting Node drain the loop, which then also runs the young-generation collection V8 scheduled
 * during the command (about 7 % of an up-to-date run's CPU, for memory about to be freed anyway).
 * With anything still pending the process ends as it always did, when the loop is empty.
 */
function exitOnceIdle(code: number): void {
  setImmediate(() => {
    const resources = process.getActiveResourcesInfo();
    const onlyStdio = resources.length <= 3 && resources.every((resource) => STDIO_RESOURCES.has(resource));
    if (onlyStdio && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    exitOnceIdle(code);
  },
  (error: unknown) => {
    const failure = describeCommandFailure('', error, process.argv.includes('--verbose'));
    process.stderr.write(failure.text);
    process.exitCode = failure.code;
  },
);
