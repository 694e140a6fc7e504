/**
 * How deeply a pipeline or params file may nest (maps, lists, brackets, Python class bodies). Real
 * files nest a dozen levels; the parsers recurse, so without a limit a few kilobytes of `[[[[…`
 * overflow the stack. Every parser reports a deeper file as `nestingTooDeep` at the place it
 * went past the limit.
 */
export const MAX_NESTING_DEPTH = 500;

export function nestingTooDeepMessage(what: string): string {
  return `This ${what} is nested more than ${MAX_NESTING_DEPTH} levels deep; mlc reads at most ${MAX_NESTING_DEPTH}, so flatten it here.`;
}
