import { parseArgs } from 'node:util';
import { UsageError } from './cliContext';
import { describeError } from '../engine/engineError';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
interface CommandArgsConfig<T extends OptionSpec> {
  args: string[];
  options: T & { verbose: { type: 'boolean' } };
  allowPositionals: boolean;
  strict: true;
}

/**
 * node:util parseArgs as every command uses it: strict, `--verbose` accepted everywhere (main
 * reads it), `-j=2` read as `-j 2` (as `--jobs=2` already is), and any parse error turned into a
 * one-line UsageError (exit 2) rather than an ERR_PARSE_ARGS stack.
 */
export function parseCommandArgs<const T extends OptionSpec>(
  args: readonly string[],
  options: T,
  { allowPositionals = true }: { readonly allowPositionals?: boolean } = {},
): ReturnType<typeof parseArgs<CommandArgsConfig<T>>> {
  const config: CommandArgsConfig<T> = {
    args: splitShortOptionValues(args, options),
    options: { ...options, verbose: { type: 'boolean' } },
    allowPositionals,
    strict: true,
  };
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(oneLine(describeError(error)));
  }
}

/** `-j=2` -> `-j`, `2` for short options that take a value; parseArgs would read the value as `=2`. */
function splitShortOptionValues(args: readonly string[], options: OptionSpec): string[] {
  const takesValue = new Set(
    Object.values(options)
      .filter((option) => option.type === 'string' && option.short !== undefined)
      .map((option) => option.short!),
  );
  const result: string[] = [];
  for (const [index, arg] of args.entries()) {
    if (arg === '--') {
      result.push(...args.slice(index));
      break;
    }
    const match = /^-([^-=])=(.*)$/s.exec(arg);
    if (match && takesValue.has(match[1]!)) result.push(`-${match[1]}`, match[2]!);
    else result.push(arg);
  }
  return result;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

/** A count option's value (`--limit`, `--last`, …): a whole number of at least 1. */
export function parseCount(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${flag} needs a whole number of at least 1 (got '${text}').`);
  return value;
}
