/**
 * Flattens nested metric or param values into dotted keys (`{train: {lr: 0.1}}` -> `train.lr`),
 * as `dvc metrics show` and MLflow present them. `keep` decides which leaves survive and how
 * they are converted; lists are leaves (a list of numbers is not one metric). A map that contains
 * itself (YAML aliases: `a: &x {b: *x}`) is not followed again.
 */
export function flattenValues<T>(
  value: unknown,
  keep: (leaf: unknown) => T | undefined,
  prefix = '',
  into: Record<string, T> = {},
  ancestors: readonly object[] = [],
): Record<string, T> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    if (ancestors.includes(value)) return into;
    const inside = [...ancestors, value];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      flattenValues(child, keep, prefix === '' ? key : `${prefix}.${key}`, into, inside);
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
