import type { ParamValue } from '../runs/model';

/** Deeper maps than this are not flattened further (no logger writes them; a hostile file may). */
export const MAX_FLATTENED_DEPTH = 100;

/**
 * What becomes of a map that is not flattened into leaves; absent, nothing is kept for it.
 * `circular`: a map inside itself (YAML aliases: `a: &x {b: *x}`), never followed again;
 * `empty`: `{}` below a key; `tooDeep`: a map more than MAX_FLATTENED_DEPTH levels down.
 */
export interface UnflattenedMaps<T> {
  readonly circular?: T;
  readonly empty?: T;
  readonly tooDeep?: (map: object) => T;
}

/**
 * Flattens nested metric or param values into dotted keys (`{train: {lr: 0.1}}` -> `train.lr`),
 * as `dvc metrics show` and MLflow present them. `keep` decides which leaves survive and how
 * they are converted; lists are leaves (a list of numbers is not one metric). Never recurses
 * forever or past MAX_FLATTENED_DEPTH, whatever the file held.
 */
export function flattenValues<T>(
  value: unknown,
  keep: (leaf: unknown) => T | undefined,
  prefix = '',
  into: Record<string, T> = {},
  unflattened: UnflattenedMaps<T> = {},
  ancestors: readonly object[] = [],
): Record<string, T> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const keepAs = (kept: T | undefined) => {
      if (kept !== undefined && prefix !== '') into[prefix] = kept;
      return into;
    };
    if (ancestors.includes(value)) return keepAs(unflattened.circular);
    if (ancestors.length >= MAX_FLATTENED_DEPTH) return keepAs(unflattened.tooDeep?.(value));
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return keepAs(unflattened.empty);
    const inside = [...ancestors, value];
    for (const [key, child] of entries) {
      flattenValues(child, keep, prefix === '' ? key : `${prefix}.${key}`, into, unflattened, inside);
    }
    return into;
  }
  if (prefix === '') return into;
  const kept = keep(value);
  if (kept !== undefined) into[prefix] = kept;
  return into;
}

/** Numeric leaves only (booleans and numeric strings are not metrics). */
export function flattenNumbers(value: unknown): Record<string, number> {
  return flattenValues(value, (leaf) => (typeof leaf === 'number' ? leaf : undefined));
}

/**
 * Params as runs show them: scalars as they are, a missing value as null, a date as ISO text, a
 * list (or anything else) as its JSON text; an empty map as `{}`, a map inside itself as
 * `[circular]`, a map nested too deep as its JSON text.
 */
export function flattenParamValues(value: unknown, into: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  return flattenValues(value, paramValueOf, '', into, PARAM_MAPS_UNFLATTENED);
}

const PARAM_MAPS_UNFLATTENED: UnflattenedMaps<ParamValue> = {
  circular: '[circular]',
  empty: '{}',
  tooDeep: (map) => jsonText(map),
};

function paramValueOf(leaf: unknown): ParamValue {
  if (leaf === null || leaf === undefined) return null;
  if (typeof leaf === 'string' || typeof leaf === 'number' || typeof leaf === 'boolean') return leaf;
  if (leaf instanceof Date) return leaf.toISOString();
  return jsonText(leaf);
}

/** A value's JSON text; a value that contains itself (through YAML aliases) has none. */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[circular]';
  }
}
