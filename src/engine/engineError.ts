/**
 * Why an engine operation refused or failed, for callers that decide by it (an exit code, a
 * message) rather than by parsing text. Parsers never throw (they return problems); this is for
 * operations that cannot go on, such as writing a lock file that could not be read.
 */
export type EngineErrorReason =
  /** A lock file exists but could not be read, or rewriting it would drop a malformed entry. */
  | 'lockFileUnwritable'
  /** Something mlc itself got wrong (a broken invariant): a bug to report. */
  | 'internal';

/** An engine error with a reason code and, when it wraps another error, that error as `cause`. */
export class EngineError extends Error {
  override readonly name = 'EngineError';

  constructor(
    readonly reason: EngineErrorReason,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The message of anything thrown, for a problem or a log line: an Error's message (an
 * EngineError's too), otherwise the value as text. The one place this flattening happens.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
