import { isPythonFloat } from '../params/formatPythonValue';

/**
 * Python's `==` for values read from params files and lock files, which is what DVC uses to
 * compare params (FORMATS.md §1.12): `1 == 1.0`, `True == 1`, `False == 0`, lists deep (a tuple
 * read from a .py file equals a list), dicts by key set and deep values, and `nan != nan`.
 */
export function pythonEquals(left: unknown, right: unknown): boolean {
  const a = normalize(left);
  const b = normalize(right);
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => pythonEquals(item, b[index]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const aKeys = Object.keys(a as object);
    const bRecord = b as Record<string, unknown>;
    if (aKeys.length !== Object.keys(bRecord).length) return false;
    return aKeys.every(
      (key) => Object.hasOwn(bRecord, key) && pythonEquals((a as Record<string, unknown>)[key], bRecord[key]),
    );
  }
  return a === b;
}

/** Numbers, bools and bigints compare as numbers; None/undefined as null; boxes are opened. */
function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isPythonFloat(value)) return value.pythonFloat;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}
