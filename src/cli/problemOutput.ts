import { relative } from 'node:path';
import type { Problem } from '../engine/problems';
import type { CliContext } from './cliContext';
import { terminalText } from './terminalText';

/** The problem with its file relative to the current folder, as every command shows files. */
export function relativeProblem(problem: Problem, cwd: string): Problem {
  return { ...problem, file: relative(cwd, problem.file) || '.' };
}

/**
 * `path:line:column: error[code]: message`, the format editors and CI logs link to. Escaped for
 * the terminal: messages quote stage names and paths from the files read.
 */
export function formatProblem(problem: Problem): string {
  return terminalText(
    `${problem.file}:${problem.line}:${problem.column}: ${problem.severity}[${problem.code}]: ${problem.message}`,
  );
}

/** The `--json` form of problems (`mlc validate --json`'s shape), files relative to `cwd`. */
export function problemsJson(problems: readonly Problem[], cwd: string) {
  return problems.map((problem) => {
    const { file, line, column, severity, code, message } = relativeProblem(problem, cwd);
    return { file, line, column, severity, code, message };
  });
}

/**
 * The pipeline problems status, dag and run met while loading, one line each on stderr (stdout
 * keeps only the result, so `--json` stays one document). Returns whether any is an error.
 */
export function writePipelineProblems(
  problems: readonly Problem[],
  context: Pick<CliContext, 'cwd' | 'printDiagnostic'>,
): boolean {
  for (const problem of problems) context.printDiagnostic(formatProblem(relativeProblem(problem, context.cwd)));
  return problems.some((problem) => problem.severity === 'error');
}
