import { ExitCode, UsageError } from './cliContext';
import { terminalText } from './terminalText';
import { describeError, EngineError, type EngineErrorReason } from '../engine/engineError';
import { DeployHostError } from '../engine/deploy/ports';

/**
 * The exit code of each EngineError reason. A Record, so a new reason fails the typecheck until
 * it is given one: 2 when the input is what needs fixing, 3 when mlc itself is wrong.
 */
const ENGINE_ERROR_EXIT_CODES: Record<EngineErrorReason, ExitCode> = {
  lockFileUnwritable: ExitCode.usage,
  internal: ExitCode.internal,
};

/**
 * What `mlc <command>` prints on stderr and exits with when the command threw: a UsageError is
 * one line and exit 2; a deploy host that did not answer (DeployHostError) is one line and exit 1;
 * an EngineError exits with its reason's code (one line, unless the reason is `internal`);
 * anything else is a bug in mlc, reported as one line and exit 3 (the stack only with --verbose,
 * since it helps a bug report but never the user).
 */
export function describeCommandFailure(
  commandName: string,
  error: unknown,
  verbose: boolean,
): { readonly code: ExitCode; readonly text: string } {
  const message = terminalText(describeError(error));
  const prefix = commandName === '' ? 'mlc' : `mlc ${commandName}`;
  if (error instanceof UsageError) {
    return { code: ExitCode.usage, text: `${prefix}: ${message} (${prefix} --help shows the usage)\n` };
  }
  if (error instanceof DeployHostError) return { code: ExitCode.failed, text: `${prefix}: ${message}\n` };
  const engineCode = error instanceof EngineError ? ENGINE_ERROR_EXIT_CODES[error.reason] : ExitCode.internal;
  if (engineCode !== ExitCode.internal) return { code: engineCode, text: `${prefix}: ${message}\n` };
  const stack = verbose && error instanceof Error ? error.stack : undefined;
  return {
    code: ExitCode.internal,
    text: stack
      ? `${prefix}: internal error: ${message}\n${stack}\n`
      : `${prefix}: internal error: ${message} (run with --verbose for the stack)\n`,
  };
}
