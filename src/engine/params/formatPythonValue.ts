/**
 * Python's `str()` for values read from params files, because DVC renders `${}` templates and
 * writes dvc.lock with Python formatting, and a rendered `cmd` that differs by one character
 * (`1e-05` vs `1e-5`, `1.0` vs `1`) makes DVC see a changed stage.
 *
 * JavaScript numbers cannot tell the float `1.0` from the int `1`, so readers box integral floats
 * as `PythonFloat`; every other number is an int when integral and a float otherwise.
 */
export interface PythonFloat {
  readonly pythonFloat: number;
}

export function pythonFloat(value: number): PythonFloat {
  return { pythonFloat: value };
}

export function isPythonFloat(value: unknown): value is PythonFloat {
  return typeof value === 'object' && value !== null && typeof (value as PythonFloat).pythonFloat === 'number';
}

/** Replaces PythonFloat boxes by plain numbers, for callers that only need values (JSON, comparisons). */
export function unboxPythonFloats(value: unknown): unknown {
  if (isPythonFloat(value)) return value.pythonFloat;
  if (Array.isArray(value)) return value.map(unboxPythonFloats);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = unboxPythonFloats(item);
    return result;
  }
  return value;
}

/**
 * Python's `str(number)`: ints in plain decimal; floats as the shortest round-trip repr, in fixed
 * notation when the decimal exponent is in [-4, 16) and scientific otherwise (`1e-05`, `1e+16`).
 */
export function formatPythonNumber(value: number, isFloat = !Number.isInteger(value)): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (!isFloat) {
    // BigInt avoids JavaScript's exponent notation for big integers (1e+21).
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absolute = Math.abs(exponent);
    return `${sign}${head}e${exponent < 0 ? '-' : '+'}${absolute < 10 ? `0${absolute}` : absolute}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${integerPart}.${fraction === '' ? '0' : fraction}`;
}

/** Python's `repr()` of a string: single quotes unless the text holds a single quote and no double quote. */
function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const char of text) {
    if (char === '\\') body += '\\\\';
    else if (char === quote) body += `\\${quote}`;
    else if (char === '\n') body += '\\n';
    else if (char === '\r') body += '\\r';
    else if (char === '\t') body += '\\t';
    else if (char < ' ' || char === '\x7f') body += `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else body += char;
  }
  return `${quote}${body}${quote}`;
}

function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return pythonStringRepr(value);
  return formatPythonValue(value);
}

/** Python's `str(value)` for anything a params file can hold (None, True, 1.0, lists, dicts). */
export function formatPythonValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return formatPythonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  if (isPythonFloat(value)) return formatPythonNumber(value.pythonFloat, true);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** DVC's `to_str` for a value spliced into a template: like str(), but bools are `true`/`false`. */
export function formatTemplateValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return formatPythonValue(value);
}
