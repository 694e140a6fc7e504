import { type ComparedCell, type ComparedRow, compareRuns } from '../../engine/runs/compareRuns';
import { formatMarkdownTable } from '../../engine/runs/formatTextTable';
import { type CliCommand, ExitCode, UsageError } from '../cliContext';
import { parseCommandArgs } from '../argv';
import { openRunIndex, requireRun, runToJson } from '../runLookup';
import { formatNumber, formatTable } from '../tableOutput';

const usage = `Usage: mlc compare RUN_ID RUN_ID... [--baseline RUN_ID] [--only-differences] [--json|--md]

Shows two or more runs side by side: one row per param and per metric any of them has, with the
difference of each value from the baseline run (the first, or --baseline) in absolute terms and in
percent. Rows whose values differ are marked with *. RUN_IDs are ids from mlc runs (a unique
prefix is enough); runs of any source can be compared.
  --baseline RUN_ID     the run deltas are measured against (one of the RUN_IDs)
  --only-differences    leave out rows where every run has the same value
  --md                  print a Markdown table (for PR comments), differing values in bold
  --json                print {"baseline","runs":[<mlc runs --json fields>],"rows":[{"kind",
                        "name","differs","cells":[{"text","value","delta","deltaPercent"}]}]};
                        "text" is "" where a run lacks the value, numbers are null where absent.

Exit: 0 compared, 2 fewer than two runs, an unknown run id (with near matches) or bad usage.`;

/** `0.91 (+0.05, +5.8%)` — the value, then its delta from the baseline when there is one. */
function cellText(cell: ComparedCell): string {
  const value = cell.value !== null ? formatNumber(cell.value) : cell.text;
  if (cell.delta === null) return value;
  const sign = (number: number) => (number > 0 ? '+' : number < 0 ? '' : '±');
  const percent = cell.deltaPercent === null ? '' : `, ${sign(cell.deltaPercent)}${cell.deltaPercent.toFixed(1)}%`;
  return `${value} (${sign(cell.delta)}${formatNumber(cell.delta)}${percent})`;
}

const rowName = (row: ComparedRow) => `${row.kind === 'param' ? 'params' : 'metrics'}.${row.name}`;

export const command: CliCommand = {
  summary: 'Compare runs side by side: params, metrics and deltas',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      baseline: { type: 'string' },
      'only-differences': { type: 'boolean' },
      md: { type: 'boolean' },
    });
    if (positionals.length < 2) throw new UsageError('give at least two RUN_IDs (see mlc runs).');
    if (values.json && values.md) throw new UsageError('choose one of --json and --md.');
    const service = openRunIndex(context);
    try {
      // One pass finds them all, the baseline too (no index held: see lookupRuns).
      const askedBaseline = typeof values.baseline === 'string' ? values.baseline : undefined;
      const lookups = await service.lookupRuns(
        askedBaseline === undefined ? positionals : [...positionals, askedBaseline],
        { holdIndex: false },
      );
      const runs = positionals.map((runId, index) => requireRun(lookups[index]!, runId).run);
      const repeated = runs.find((run, index) => runs.findIndex((other) => other.id === run.id) !== index);
      if (repeated) throw new UsageError(`run ${repeated.id} is given twice.`);
      let baselineId = runs[0]!.id;
      if (askedBaseline !== undefined) {
        const baseline = requireRun(lookups.at(-1)!, askedBaseline).run;
        if (!runs.some((run) => run.id === baseline.id)) {
          throw new UsageError(`--baseline must be one of the compared runs (got ${baseline.id}).`);
        }
        baselineId = baseline.id;
      }
      const comparison = compareRuns(runs, baselineId);
      const rows = values['only-differences'] ? comparison.rows.filter((row) => row.differs) : comparison.rows;
      if (values.json) {
        context.print(
          JSON.stringify(
            {
              baseline: baselineId,
              runs: runs.map((run) => runToJson(run, context.cwd)),
              rows: rows.map((row) => ({ kind: row.kind, name: row.name, differs: row.differs, cells: row.cells })),
            },
            null,
            2,
          ),
        );
        return ExitCode.ok;
      }
      const header = ['', ...runs.map((run) => (run.id === baselineId ? `${run.id} (baseline)` : run.id))];
      if (values.md) {
        const body = rows.map((row) => [
          rowName(row),
          ...row.cells.map((cell) => (row.differs && cell.text !== '' ? `**${cellText(cell)}**` : cellText(cell))),
        ]);
        context.print(formatMarkdownTable(header, body).trimEnd());
      } else {
        const body = rows.map((row) => [`${row.differs ? '* ' : '  '}${rowName(row)}`, ...row.cells.map(cellText)]);
        context.print(formatTable(header, body));
      }
      return ExitCode.ok;
    } finally {
      service.dispose();
    }
  },
};
