import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../node/nodeFileSystem';
import { killStageGroups } from '../node/process/stageGroups';
import { releaseHeldLocks } from '../node/runStore/createWorkspaceLock';
import { createStderrLogger } from '../node/stderrLogger';
import { type CliCommand, type CliContext, ExitCode, UsageError } from './cliContext';

/**
 * The `mlc` command: finds the subcommand, builds the context, maps errors to exit codes.
 * Each subcommand lives in ./commands/<name>.ts and exports `command: CliCommand`.
 */
const commands: Record<string, () => Promise<{ command: CliCommand }>> = {
  // One line per subcommand; keep alphabetical.
  dag: () => import('./commands/dag'),
  metrics: () => import('./commands/metrics'),
  run: () => import('./commands/run'),
  runs: () => import('./commands/runs'),
  show: () => import('./commands/show'),
  status: () => import('./commands/status'),
  stop: () => import('./commands/stop'),
  validate: () => import('./commands/validate'),
};

function helpText(): string {
  const lines = Object.keys(commands)
    .sort()
    .map((name) => `  mlc ${name}`);
  return ['Usage: mlc <command> [options]', '', 'Commands:', ...lines, '', 'mlc <command> --help for details.'].join(
    '\n',
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    process.stdout.write('mlc 0.1.0\n');
    return ExitCode.ok;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`mlc: unknown command '${name}'.\n\n${helpText()}\n`);
    return ExitCode.usage;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return ExitCode.ok;
  }
  const { values } = parseArgs({ args: [...rest], options: { verbose: { type: 'boolean' } }, strict: false });
  const abort = new AbortController();
  const onSignal = () => {
    if (!abort.signal.aborted) {
      abort.abort();
      return;
    }
    escalate();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const context: CliContext = {
    cwd: process.cwd(),
    fs: nodeFileSystem,
    logger: createStderrLogger(values.verbose === true),
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    signal: abort.signal,
  };
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mlc ${name}: ${error.message}\n\n${command.usage}\n`);
      return ExitCode.usage;
    }
    process.stderr.write(`mlc ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.usage;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mlc: ${String(error)}\n`);
    process.exitCode = ExitCode.usage;
  },
);
