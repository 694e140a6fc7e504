/**
 * The entries of `fields` whose value is present (not undefined, null or ''), so optional fields
 * are absent from JSON output rather than `null` or empty. Spread it into an object literal.
 */
export function withoutEmpty<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: NonNullable<T[K]> } {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== '') kept[key] = value;
  }
  return kept as { [K in keyof T]?: NonNullable<T[K]> };
}
