import type { RunSummary } from '../../engine/runs/model';
import { loadPlots } from '../../node/plots/loadPlots';
import type { PlotView } from '../../protocol/plotViews';
import { parseCommandArgs } from '../argv';
import { type CliCommand, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { formatProblem, problemsJson, relativeProblem } from '../problemOutput';
import { terminalText } from '../terminalText';
import { openRunIndex, requireRun } from '../runLookup';
import { formatNumber, formatTable } from '../tableOutput';

const usage = `Usage: mlc plots show [--json]
       mlc plots diff RUN_ID... [--json]

Resolves the DVC plots of the workspace's pipelines (the stages' plots: and the top-level plots:
of dvc.yaml and mlc.yaml, DVC's forms and templates) and reads their data files.
  show            the plot files as they are in the workspace
  diff RUN_ID...  the plot files as each run left them, side by side; with one RUN_ID the
                  workspace too (as dvc plots diff REV). mlc keeps no copy of outputs: a file is
                  found where its content still is (the working tree, DVC's cache, the run's git
                  commit), checked against the md5 the run recorded; others are listed as missing
  --json          print {"revisions":[...],"plots":[<plot view>...],"problems":[...]}; a plot
                  view is {"kind":"line"|"confusion"|"bar"|"image","id","title","xLabel",
                  "yLabel","missing":[{"revision","file","reason"}], and "series" (line),
                  "matrices" (confusion), "groups" (bar) or "images"}; values that are not
                  finite numbers are null
Without --json: a short table per plot. Problems in plot definitions and files go to stderr.

Exit: 0 shown (problems included), 2 an unknown run id or bad usage.`;

export const command: CliCommand = {
  summary: 'Show DVC plots of the workspace or of runs side by side',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    const [subcommand, ...runIds] = positionals;
    if (subcommand !== 'show' && subcommand !== 'diff')
      throw new UsageError('give show or diff (see mlc plots --help).');
    if (subcommand === 'show' && runIds.length > 0) throw new UsageError('mlc plots show takes no RUN_ID; use diff.');
    if (subcommand === 'diff' && runIds.length === 0) throw new UsageError('give at least one RUN_ID (see mlc runs).');
    const runs: RunSummary[] = [];
    if (runIds.length > 0) {
      const service = openRunIndex(context);
      try {
        const lookups = await service.lookupRuns(runIds, { holdIndex: false });
        runIds.forEach((runId, index) => runs.push(requireRun(lookups[index]!, runId).run));
      } finally {
        service.dispose();
      }
    }
    const loaded = await loadPlots({
      fs: context.fs,
      workspaceRoot: workspaceRoot(context),
      runs,
      includeWorkspace: subcommand === 'show' || runs.length === 1,
      signal: context.signal,
    });
    if (values.json) {
      context.print(
        JSON.stringify(
          { revisions: loaded.revisions, plots: loaded.views, problems: problemsJson(loaded.problems, context.cwd) },
          null,
          2,
        ),
      );
      return ExitCode.ok;
    }
    for (const problem of loaded.problems) context.logger.warn(formatProblem(relativeProblem(problem, context.cwd)));
    if (loaded.views.length === 0) {
      context.print('No plots: no stage declares plots: and no pipeline has a top-level plots: section.');
      return ExitCode.ok;
    }
    context.print(loaded.views.map(formatPlotView).join('\n\n'));
    return ExitCode.ok;
  },
};

const range = (values: readonly (number | null)[]) => {
  const finite = values.filter((value): value is number => value !== null);
  return finite.length === 0 ? '-' : `${formatNumber(Math.min(...finite))}..${formatNumber(Math.max(...finite))}`;
};

/** A heading and a short table: what each revision has for this plot. */
export function formatPlotView(view: PlotView): string {
  const template = view.kind === 'image' ? 'image' : view.template;
  const heading = terminalText(
    view.title === view.id ? `${view.id} (${template})` : `${view.title} (${template}, ${view.id})`,
  );
  let table: string;
  if (view.kind === 'line') {
    table = formatTable(
      ['REVISION', 'FILE', 'Y', 'POINTS', view.xLabel ? `X (${view.xLabel})` : 'X', 'Y RANGE', 'LAST'],
      view.series.map((series) => {
        const last = series.y[series.y.length - 1];
        return [
          series.revision,
          series.file,
          series.field,
          String(series.x.length),
          range(series.x),
          range(series.y),
          last === undefined || last === null ? '-' : formatNumber(last),
        ];
      }),
    );
  } else if (view.kind === 'confusion') {
    table = formatTable(
      ['REVISION', 'FILE', 'CLASSES', 'ROWS', 'DIAGONAL'],
      view.matrices.map((matrix) => {
        const total = matrix.counts.flat().reduce((sum, count) => sum + count, 0);
        const diagonal = matrix.counts.reduce((sum, row, index) => sum + (row[index] ?? 0), 0);
        const share = total === 0 ? '-' : `${formatNumber(diagonal)} (${((100 * diagonal) / total).toFixed(1)}%)`;
        return [matrix.revision, matrix.file, String(matrix.classes.length), String(total), share];
      }),
    );
  } else if (view.kind === 'bar') {
    table = formatTable(
      ['REVISION', 'FILE', 'BARS', 'FIRST'],
      view.groups.map((group) => {
        const first = group.bars[0];
        const firstText = first ? `${first.category}=${first.value === null ? '-' : formatNumber(first.value)}` : '-';
        return [group.revision, group.file, String(group.bars.length), firstText];
      }),
    );
  } else {
    table = formatTable(
      ['REVISION', 'IMAGE', 'TYPE'],
      view.images.map((image) => [image.revision, image.path, image.mime]),
    );
  }
  const missing = view.missing.map((entry) =>
    terminalText(`  missing at ${entry.revision}: ${entry.file} (${entry.reason})`),
  );
  return [heading, table, ...missing].join('\n');
}
