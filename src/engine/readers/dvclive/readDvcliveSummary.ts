import type { FileSystem } from '../../ports';
import { type Problem, problemAt } from '../../problems';
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
          problemAt(path, undefined, 'warning', 'fileTooLarge', 'metrics.json is over 16 MiB; it was not read.'),
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
  try {
    data = JSON.parse(text.replace(/\bNaN\b|-?\bInfinity\b/g, (token) => `"${token}"`));
  } catch (error) {
    const isBeingWritten = text.trim().length === 0;
    return {
      exists: true,
      metrics,
      step: undefined,
      problems: [
        problemAt(
          path,
          undefined,
          isBeingWritten ? 'info' : 'warning',
          'dvcliveSummaryInvalid',
          isBeingWritten
            ? 'metrics.json is empty (DVCLive is rewriting it); the latest series values are shown instead.'
            : `metrics.json is not valid JSON (${(error as Error).message}); the latest series values are shown instead.`,
        ),
      ],
    };
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
