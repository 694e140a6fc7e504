import type { FileSystem } from '../../ports';
import { parsePythonJson } from '../../params/parsePythonJson';
import { type Problem, problemAt, type Severity } from '../../problems';
import { parseMetricNumber } from '../../series/parseMetricNumber';

/**
 * Reads DVCLive's `metrics.json` (FORMATS.md 2.3): nested objects become `/`-joined names that
 * match the TSV series names (`train/loss`); `"nan"`/`"inf"` strings become numbers; the top-level
 * `step` is the step counter, not a metric, and is returned apart. DVCLive rewrites the file in
 * place, so an empty or cut-off file is normal while a run is live: that is reported as info.
 */
export function readDvcliveSummary(
  fs: FileSystem,
  path: string,
): {
  readonly exists: boolean;
  readonly metrics: Record<string, number>;
  readonly step: number | undefined;
  readonly problems: Problem[];
} {
  const metrics: Record<string, number> = {};
  let text: string;
  try {
    const stat = fs.stat(path);
    if (!stat || stat.kind !== 'file') return { exists: false, metrics, step: undefined, problems: [] };
    if (stat.size > 16 * 1024 * 1024) {
      return {
        exists: true,
        metrics,
        step: undefined,
        problems: [
          problemAt(
            path,
            undefined,
            'warning',
            'fileTooLarge',
            `metrics.json is ${stat.size} bytes, over the 16 MiB a DVCLive summary never reaches; it was not read and the latest series values are shown instead. Check what writes this file.`,
          ),
        ],
      };
    }
    text = fs.readText(path);
  } catch (error) {
    return {
      exists: false,
      metrics,
      step: undefined,
      problems: [problemAt(path, undefined, 'warning', 'fileUnreadable', `Cannot read metrics.json: ${String(error)}`)],
    };
  }
  let data: unknown;
  const invalid = (position: { line: number; column: number } | undefined, message: string, severity: Severity) => ({
    exists: true,
    metrics,
    step: undefined,
    problems: [problemAt(path, position, severity, 'dvcliveSummaryInvalid', message)],
  });
  try {
    data = JSON.parse(text.replace(/\bNaN\b|-?\bInfinity\b/g, (token) => `"${token}"`));
  } catch (error) {
    if (text.trim().length === 0) {
      return invalid(
        undefined,
        'metrics.json is empty (DVCLive is rewriting it); the latest series values are shown instead.',
        'info',
      );
    }
    // JSON.parse rarely says where it stopped; the located JSON parser does (only on this path).
    const located = parsePythonJson(text, path).problems[0];
    return invalid(
      located && { line: located.line, column: located.column },
      `metrics.json is not valid JSON (${(error as Error).message}); the latest series values are shown instead. DVCLive rewrites it at every step; if no run is writing, fix or delete it.`,
      'warning',
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return invalid(
      { line: 1, column: 1 },
      'metrics.json is not a JSON object of metrics, so it holds no summary; the latest series values are shown instead. Fix or delete it.',
      'warning',
    );
  }
  let step: number | undefined;
  const visit = (value: unknown, prefix: string) => {
    if (typeof value === 'number') metrics[prefix] = value;
    else if (typeof value === 'string') {
      const parsed = parseMetricNumber(value);
      if (parsed !== undefined) metrics[prefix] = parsed;
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (prefix === '' && key === 'step' && typeof child === 'number') step = child;
        else visit(child, prefix === '' ? key : `${prefix}/${key}`);
      }
    }
  };
  visit(data, '');
  return { exists: true, metrics, step, problems: [] };
}
