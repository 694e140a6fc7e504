import type { MetricSeries } from '../../engine/runs/model';
import { type CliCommand, ExitCode, UsageError } from '../cliContext';
import { formatNumber, formatTable, formatTime, openRunIndex, parseCount, parseOptions, requireRun } from './runs';

const usage = `Usage: mlc metrics RUN_ID [--metric NAME]... [--max-points N] [--json]

Prints the metric series of one run (RUN_ID from mlc runs; a unique prefix is enough).
  --metric NAME    only this series (repeat for several); without it, every series
  --max-points N   downsample each series to about N points, keeping every bucket's first, last,
                   minimum and maximum (so spikes and the true extremes survive)
  --json           print {"runId","series":{"<name>":{"steps":[...],"values":[...],"timestamps":[...]}}}
                   (timestamps in epoch ms, null where the format has none; NaN values are null)
Without --json: one line per series (points, steps, last, min, max); with one --metric, every point.

Exit: 0 printed, 2 unknown run or metric (with near matches) or bad usage.`;

export const command: CliCommand = {
  summary: 'Print the metric series of one run',
  usage,
  async run(args, context) {
    const { values, positionals } = parseOptions(args, {
      metric: { type: 'string', multiple: true },
      'max-points': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one RUN_ID (see mlc runs).');
    const runId = positionals[0]!;
    const names = values.metric as string[] | undefined;
    const maxPoints =
      values['max-points'] === undefined ? undefined : parseCount('--max-points', values['max-points'] as string);
    const service = openRunIndex(context);
    try {
      const { run } = requireRun(await service.lookup(runId), runId);
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
        const series: Record<string, { steps: number[]; values: (number | null)[]; timestamps: (number | null)[] }> =
          {};
        for (const [name, values] of Object.entries(result.series)) series[name] = toJsonSeries(values);
        context.print(JSON.stringify({ runId: run.id, series }));
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
            ? `Run ${run.id} has no metric series.`
            : formatTable(['METRIC', 'POINTS', 'STEPS', 'LAST', 'MIN', 'MAX'], rows),
        );
      }
      return ExitCode.ok;
    } finally {
      service.dispose();
    }
  },
};

/** JSON has no NaN: missing timestamps and NaN values print as null. */
function toJsonSeries(series: MetricSeries) {
  const finiteOrNull = (value: number) => (Number.isNaN(value) ? null : value);
  return {
    steps: Array.from(series.steps),
    values: Array.from(series.values, finiteOrNull),
    timestamps: Array.from(series.timestamps, finiteOrNull),
  };
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
