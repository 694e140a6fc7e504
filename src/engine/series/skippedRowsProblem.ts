import { type Problem, problemAt, type Severity } from '../problems';

/**
 * The `seriesRowSkipped` problem of a line-oriented metrics file: the rows skipped since the last
 * report are counted in one problem, located at the first of them, so a file of a million bad
 * rows yields one problem, not a million.
 */
export function skippedRowsProblem(path: string, firstLine: number, severity: Severity, message: string): Problem {
  return problemAt(path, { line: firstLine, column: 1 }, severity, 'seriesRowSkipped', message);
}

/** What a skipped row of the wrong width most likely means, for the end of the message. */
export const MISSHAPEN_ROW_HINT =
  'The file was probably edited or written by two processes at once; the other rows are read.';
