/**
 * A problem found in a file mlc read. Parsers never throw: they return what they could read plus
 * problems, each located (1-based line and column) and carrying a stable `code` that tests, the
 * Problems panel and `mlc validate --json` rely on. The message says what is wrong and what to do.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly severity: Severity;
  /** Stable, camelCase, documented in ARCHITECTURE.md ("Problem codes"). */
  readonly code: string;
  readonly message: string;
}

/** The result shape of every parser and reader: what could be read, and what could not. */
export interface Parsed<T> {
  readonly value: T;
  readonly problems: readonly Problem[];
}

export function problemAt(
  file: string,
  position: { line: number; column: number } | undefined,
  severity: Severity,
  code: string,
  message: string,
): Problem {
  return { file, line: position?.line ?? 1, column: position?.column ?? 1, severity, code, message };
}
