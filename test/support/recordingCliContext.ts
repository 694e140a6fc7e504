import { type CliContext } from '../../src/cli/cliContext';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';

/**
 * A CLI context on the real file system that keeps what a command prints (stdout) and its
 * diagnostics (stderr) instead of writing them: for running a command in-process in a test.
 */
export function recordingCliContext(
  cwd: string,
  signal: AbortSignal = new AbortController().signal,
): { readonly context: CliContext; readonly printed: string[]; readonly diagnostics: string[] } {
  const printed: string[] = [];
  const diagnostics: string[] = [];
  const context: CliContext = {
    cwd,
    fs: nodeFileSystem,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    print: (text) => printed.push(text),
    printDiagnostic: (text) => diagnostics.push(text),
    signal,
  };
  return { context, printed, diagnostics };
}
