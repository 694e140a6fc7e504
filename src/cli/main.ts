import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../node/nodeFileSystem';
import { createStderrLogger } from '../node/stderrLogger';
import { type CliCommand, type CliContext, ExitCode, UsageError } from './cliContext';

/**
 * The `mlc` command: finds the subcommand, builds the context, maps errors to exit codes.
 * Each subcommand lives in ./commands/<name>.ts and exports `command: CliCommand`.
 */
const commands: Record<string, () => Promise<{ command: CliCommand }>> = {
  // One line per subcommand; keep alphabetical.
  compare: () => import('./commands/compare'),
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
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mlc: ${String(error)}\n`);
    process.exitCode = ExitCode.usage;
  },
);
