import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { buildReport, type Report, type ReportRow } from '../../engine/report/buildReport';
import { formatReportMarkdown, isChanged, reportCells, type ReportRun } from '../../engine/report/formatReport';
import type { RevisionFiles } from '../../engine/report/ports';
import { openGitRevision } from '../../node/git/gitRevisionFiles';
import { parseCommandArgs } from '../argv';
import { type CliCommand, type CliContext, ExitCode, UsageError, workspaceRoot } from '../cliContext';
import { openRunIndex } from '../runLookup';
import { formatTable } from '../tableOutput';
import { describeError } from '../../engine/engineError';

const usage = `Usage: mlc report --base GIT_REF [--md | --json] [--all]

Compares the metrics and params of the workspace with the same files at GIT_REF (read through
git, the working tree is not touched): every metrics file the stages declare, and the param keys
they depend on (from the params files, or the lock file's recorded values where a params file is
not in that commit), with the absolute and percent change.
  --base GIT_REF   a branch, tag or commit (e.g. origin/main in a pull-request build)
  --md             Markdown for a pull-request comment, with a trend line per series of the latest
                   mlc run
  --json           print {"base":{"ref","commit"},"metrics":[ROW...],"params":[ROW...]}, ROW being
                   {"file","name","base","workspace","delta","deltaPercent"} (null where absent)
  --all            list unchanged params too (metrics are always all listed)

Exit: 0 printed, 2 not a git repository, unknown GIT_REF, no pipeline file or bad usage.`;

export const command: CliCommand = {
  summary: 'Compare metrics and params of the workspace with a git ref (for PR comments)',
  usage,
  async run(args, context) {
    const { values } = parseCommandArgs(
      args,
      { base: { type: 'string' }, md: { type: 'boolean' }, json: { type: 'boolean' }, all: { type: 'boolean' } },
      { allowPositionals: false },
    );
    if (values.base === undefined || values.base === '')
      throw new UsageError('give the git ref to compare with: --base GIT_REF.');
    if (values.md && values.json) throw new UsageError('choose one of --md and --json.');
    const workspace = loadWorkspace(context.fs, workspaceRoot(context), { signal: context.signal });
    if (workspace.pipelines.length === 0)
      throw new UsageError(
        `no pipeline file (mlc.yaml, dvc.yaml or MLproject) in ${workspaceRoot(context)} or below it.`,
      );
    const base = await openGitRevision(workspaceRoot(context), values.base);
    if (!base)
      throw new UsageError(
        `'${values.base}' names no commit here (is this a git repository, and was the ref fetched?).`,
      );
    const report = await buildReport(workspaceRoot(context), workspace.pipelines, {
      base: base.files,
      workspace: workingTreeFiles(context),
    });
    for (const problem of report.problems)
      context.logger.warn(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.code}]`);
    const baseInfo = { ref: values.base, commit: base.commit };
    if (values.json) {
      context.print(
        JSON.stringify(
          { base: baseInfo, metrics: report.metrics.map(rowJson), params: report.params.map(rowJson) },
          null,
          2,
        ),
      );
    } else if (values.md) {
      context.print(
        formatReportMarkdown(report, baseInfo, { allParams: values.all, latestRun: await latestRun(context) }),
      );
    } else {
      context.print(textReport(report, values.base, values.all === true));
    }
    return ExitCode.ok;
  },
};

function workingTreeFiles(context: CliContext): RevisionFiles {
  return {
    readText: (path) => {
      const absolute = `${workspaceRoot(context)}/${path}`;
      if (context.fs.stat(absolute)?.kind !== 'file') return Promise.resolve(undefined);
      try {
        return Promise.resolve(context.fs.readText(absolute));
      } catch (error) {
        // Unreadable here (permissions): reported, and the row shows the value as absent.
        context.logger.warn(`${path}: cannot be read (${describeError(error)}).`);
        return Promise.resolve(undefined);
      }
    },
  };
}

function rowJson(row: ReportRow) {
  return {
    file: row.file,
    name: row.name,
    base: row.base ?? null,
    workspace: row.workspace ?? null,
    delta: row.delta ?? null,
    deltaPercent: row.deltaPercent ?? null,
  };
}

function textReport(report: Report, ref: string, allParams: boolean): string {
  const header = (kind: string) => ['FILE', kind, ref.toUpperCase(), 'WORKSPACE', 'CHANGE', 'CHANGE %'];
  const params = allParams ? report.params : report.params.filter(isChanged);
  const rows = (list: readonly ReportRow[]) => list.map((row) => [row.file, ...reportCells(row)]);
  return [
    report.metrics.length === 0
      ? 'No metrics files declared by the stages.'
      : formatTable(header('METRIC'), rows(report.metrics)),
    '',
    params.length === 0 ? 'No param changed.' : formatTable(header('PARAM'), rows(params)),
  ].join('\n');
}

/** mlc's newest run with its series downsampled for the trend lines; undefined without runs. */
async function latestRun(context: CliContext): Promise<ReportRun | undefined> {
  const service = openRunIndex(context);
  try {
    const { runs } = await service.listRuns({ source: 'mlc' });
    const newest = runs
      .filter((run) => run.source === 'mlc')
      .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
    if (!newest) return undefined;
    const { series } = await service.series(newest.id, undefined, 200);
    return { id: newest.id, status: newest.status, series };
  } finally {
    service.dispose();
  }
}
