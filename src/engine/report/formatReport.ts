import type { MetricSeries } from '../runs/model';
import type { Report, ReportRow } from './buildReport';

/** What the report compares against, for its headings. */
export interface ReportBase {
  /** The ref as the user gave it (`main`, `origin/main`). */
  readonly ref: string;
  readonly commit: string;
}

/** The latest run's series, shown as a trend line per metric under the tables. */
export interface ReportRun {
  readonly id: string;
  readonly status: string;
  readonly series: Readonly<Record<string, MetricSeries>>;
}

const SPARK_LEVELS = '▁▂▃▄▅▆▇█';
const SPARK_WIDTH = 20;

/**
 * The cells of one row as both the Markdown and the terminal table print them: name, base value,
 * workspace value, absolute change, change in percent ('—' where a side or a number is missing).
 */
export function reportCells(row: ReportRow): [string, string, string, string, string] {
  const change =
    row.delta !== undefined
      ? signed(row.delta)
      : row.base !== undefined && row.workspace !== undefined && !sameValue(row)
        ? 'changed'
        : '—';
  const percent = row.deltaPercent !== undefined ? `${signed(row.deltaPercent, 2)}%` : '—';
  return [row.name, formatValue(row.base), formatValue(row.workspace), change, percent];
}

/** A param row is shown when its value differs; every metric is shown. */
export function isChanged(row: ReportRow): boolean {
  return !sameValue(row);
}

/**
 * The report as GitHub/GitLab-flavoured Markdown, fit for a pull-request comment: one table of
 * metrics, one of the params that changed (all of them with `allParams`), and a trend line per
 * series of the latest run. Text from files is escaped so a cell can never break the table.
 */
export function formatReportMarkdown(
  report: Report,
  base: ReportBase,
  options: { readonly allParams?: boolean; readonly latestRun?: ReportRun } = {},
): string {
  const baseTitle = `${base.ref} (${base.commit.slice(0, 7)})`;
  const lines = [`## mlc report: workspace vs ${code(baseTitle)}`, ''];
  const table = (kind: string, rows: readonly ReportRow[]) => {
    lines.push(`| File | ${kind} | ${escapeCell(base.ref)} | workspace | Change | Change % |`);
    lines.push('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const row of rows) lines.push(`| ${[row.file, ...reportCells(row)].map(escapeCell).join(' | ')} |`);
    lines.push('');
  };
  lines.push('### Metrics', '');
  if (report.metrics.length === 0) lines.push('No metrics files declared by the stages.', '');
  else table('Metric', report.metrics);

  const shownParams = options.allParams ? report.params : report.params.filter(isChanged);
  lines.push('### Params', '');
  if (shownParams.length === 0)
    lines.push(report.params.length === 0 ? 'No params declared by the stages.' : 'No param changed.', '');
  else table('Param', shownParams);
  const unchanged = report.params.length - shownParams.length;
  if (shownParams.length > 0 && unchanged > 0)
    lines.push(`${unchanged} unchanged param${unchanged === 1 ? '' : 's'} not shown.`, '');

  const run = options.latestRun;
  const seriesNames = run ? Object.keys(run.series).sort() : [];
  if (run && seriesNames.length > 0) {
    lines.push(`### Latest run ${code(run.id)} (${escapeCell(run.status)})`, '');
    lines.push('| Series | Trend | Last | Min | Max |', '| --- | --- | ---: | ---: | ---: |');
    for (const name of seriesNames) {
      const values = Array.from(run.series[name]!.values).filter(Number.isFinite);
      if (values.length === 0) continue;
      const cells = [
        name,
        sparkline(values),
        formatValue(values.at(-1)),
        formatValue(Math.min(...values)),
        formatValue(Math.max(...values)),
      ];
      lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * A text trend line of `values` in block characters, at most `width` wide (each character is the
 * mean of its bucket); a flat series is a flat line.
 */
export function sparkline(values: readonly number[], width = SPARK_WIDTH): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const means = Array.from({ length: buckets }, (_, bucket) => {
    const from = Math.floor((bucket * values.length) / buckets);
    const to = Math.floor(((bucket + 1) * values.length) / buckets);
    const slice = values.slice(from, to);
    return slice.reduce((sum, value) => sum + value, 0) / slice.length;
  });
  const low = Math.min(...means);
  const span = Math.max(...means) - low;
  const top = SPARK_LEVELS.length - 1;
  return means.map((mean) => SPARK_LEVELS[span === 0 ? 0 : Math.round(((mean - low) / span) * top)]).join('');
}

/** Numbers to 6 significant digits (float noise such as 0.030000000000000027 gone), the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
    return String(Number(value.toPrecision(6)));
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function signed(value: number, fractionDigits?: number): string {
  const text = fractionDigits === undefined ? formatValue(value) : value.toFixed(fractionDigits);
  return value > 0 ? `+${text}` : text;
}

function sameValue(row: ReportRow): boolean {
  return (
    JSON.stringify(row.base) === JSON.stringify(row.workspace) &&
    (row.base === undefined) === (row.workspace === undefined)
  );
}

/** A table cell: `|` and newlines would end it, `<` could open HTML in a comment. */
function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/\r?\n|\r/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
