import type { MetricSeries } from '../../engine/runs/model';
import { parseCommandArgs, parseCount } from '../argv';
import { terminalText } from '../terminalText';
import { type CliCommand, ExitCode, UsageError } from '../cliContext';
import { openRunIndex, requireRun } from '../runLookup';
import { formatNumber, formatTable, formatTime } from '../tableOutput';

/**
 * Points per series when --max-points is not given and points are printed (--json, one --metric):
 * a 10-million-point series printed whole took 25 s and 2.3 GB, and no chart or terminal needs it.
 */
const DEFAULT_MAX_POINTS = 10_000;

const usage = `Usage: mlc metrics RUN_ID [--metric NAME]... [--max-points N] [--json]

Prints the metric series of one run (RUN_ID from mlc runs; a unique prefix is enough).
  --metric NAME    only this series (repeat for several); without it, every series
  --max-points N   downsample each series to about N points, keeping every bucket's first, last,
                   minimum and maximum (so spikes and the true extremes survive); default
                   ${DEFAULT_MAX_POINTS} with --json or one --metric; 0 or 'all' prints every point
  --json           print {"runId","series":{"<name>":{"steps":[...],"values":[...],"timestamps":[...]}}}
                   (timestamps in epoch ms, null where the format has none; NaN values are null)
Without --json: one line per series (points, steps, last, min, max); with one --metric, every point.

Exit: 0 printed, 2 unknown run or metric (with near matches) or bad usage.`;

export const command: CliCommand = {
  summary: 'Print the metric series of one run',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      metric: { type: 'string', multiple: true },
      'max-points': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one RUN_ID (see mlc runs).');
    const runId = positionals[0]!;
    const names = values.metric as string[] | undefined;
    const listsPoints = values.json === true || names?.length === 1;
    // The summary table counts every point, so it reads whole series unless told otherwise.
    const maxPoints = parseMaxPoints(values['max-points'], listsPoints ? DEFAULT_MAX_POINTS : undefined);
    const service = openRunIndex(context);
    try {
      const [lookup] = await service.lookupRuns([runId], { holdIndex: false });
      const { run } = requireRun(lookup!, runId);
      const result = await service.series(run.id, names, maxPoints);
      for (const problem of result.problems)
        context.logger.warn(`${problem.file}: ${problem.message} [${problem.code}]`);
      const missing = (names ?? []).filter((name) => !(name in result.series));
      if (missing.length > 0) {
        const available = Object.keys({ ...run.metrics, ...(await service.series(run.id)).series }).sort();
        throw new UsageError(
          `run ${run.id} has no series ${missing.map((name) => `'${name}'`).join(', ')}. Available: ${available.join(', ') || 'none'}.`,
        );
      }
      if (values.json) {
        printSeriesJson(run.id, result.series, context.print);
      } else if (names?.length === 1) {
        const series = result.series[names[0]!]!;
        const rows = Array.from(series.steps, (step, index) => [
          String(step),
          formatNumber(series.values[index]!),
          Number.isNaN(series.timestamps[index]!) ? '-' : formatTime(series.timestamps[index]!),
        ]);
        context.print(formatTable(['STEP', 'VALUE', 'TIME'], rows));
      } else {
        const rows = Object.entries(result.series).map(([name, series]) => summaryRow(name, series));
        context.print(
          rows.length === 0
            ? `Run ${terminalText(run.id)} has no metric series.`
            : formatTable(['METRIC', 'POINTS', 'STEPS', 'LAST', 'MIN', 'MAX'], rows),
        );
      }
      return ExitCode.ok;
    } finally {
      service.dispose();
    }
  },
};

/** `--max-points`: a count, or 0 / 'all' for every point; `fallback` when absent. */
function parseMaxPoints(text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  if (text === '0' || text === 'all') return undefined;
  return parseCount('--max-points', text);
}

/** Numbers per printed chunk of a streamed JSON array. */
const JSON_CHUNK = 65_536;

/**
 * `{"runId","series":{...}}` printed in chunks, never as one string: a series of millions of
 * points would otherwise exist as a JS array and a JSON string at once. Each chunk ends with a
 * newline, which JSON reads as whitespace. JSON has no NaN: NaN values and missing timestamps
 * are null.
 */
function printSeriesJson(runId: string, series: Readonly<Record<string, MetricSeries>>, print: (text: string) => void) {
  print(`{"runId":${JSON.stringify(runId)},"series":{`);
  for (const [index, [name, points]] of Object.entries(series).entries()) {
    print(`${index > 0 ? ',' : ''}${JSON.stringify(name)}:{"steps":[`);
    printNumbers(points.steps, print);
    print('],"values":[');
    printNumbers(points.values, print);
    print('],"timestamps":[');
    printNumbers(points.timestamps, print);
    print(']}');
  }
  print('}}');
}

function printNumbers(numbers: ArrayLike<number>, print: (text: string) => void): void {
  for (let start = 0; start < numbers.length; start += JSON_CHUNK) {
    const end = Math.min(numbers.length, start + JSON_CHUNK);
    const texts: string[] = [];
    for (let index = start; index < end; index++) {
      const value = numbers[index]!;
      texts.push(Number.isNaN(value) ? 'null' : JSON.stringify(value));
    }
    print(`${start > 0 ? ',' : ''}${texts.join(',')}`);
  }
}

function summaryRow(name: string, series: MetricSeries): string[] {
  const count = series.steps.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of series.values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const steps = count === 0 ? '-' : `${series.steps[0]}..${series.steps[count - 1]}`;
  const last = count === 0 ? '-' : formatNumber(series.values[count - 1]!);
  return [
    name,
    String(count),
    steps,
    last,
    count === 0 ? '-' : formatNumber(min),
    count === 0 ? '-' : formatNumber(max),
  ];
}
