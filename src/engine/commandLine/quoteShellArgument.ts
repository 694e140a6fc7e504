/**
 * Quotes one value for a POSIX `sh` command line, the way Python's `shlex.quote` does: text made
 * only of characters that no shell treats specially is returned unchanged (so logs stay readable),
 * anything else is wrapped in single quotes, inside which sh interprets nothing; an embedded `'`
 * closes the quote, adds a double-quoted `'` and reopens it. Every value mlc itself puts into a
 * command line (paths, run ids, stage names, user input) goes through here, so `$(...)`, backticks,
 * globs, spaces and newlines reach the program as plain text and never run.
 */
const SAFE_ARGUMENT = /^[\w@%+=:,./-]+$/;

export function quoteShellArgument(value: string): string {
  if (SAFE_ARGUMENT.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** Quotes every argument and joins them with spaces: one shell word per argument. */
export function joinShellArguments(values: readonly string[]): string {
  return values.map(quoteShellArgument).join(' ');
}
