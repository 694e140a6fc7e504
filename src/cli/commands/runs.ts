import type { RunSource, RunSummary } from '../../engine/runs/model';
import type { RunIndexService } from '../../node/runIndex/createRunIndexService';
import { isRunOutputPath } from '../../node/readers/runOutputWatches';
import { parseCommandArgs, parseCount } from '../argv';
import { openRunIndex, runToJson } from '../runLookup';
import { formatNumber, formatTable, formatTime } from '../tableOutput';
import { watchFrames } from '../watchFrames';
import { formatProblem, relativeProblem } from '../problemOutput';
import { type CliCommand, type CliContext, ExitCode, UsageError } from '../cliContext';

const SOURCES: readonly RunSource[] = ['mlc', 'mlflow', 'dvclive', 'tensorboard', 'csv'];

const usage = `Usage: mlc runs [--json] [--source S] [--limit N] [--watch]

Lists every run in the current folder and below it, newest first: mlc's own runs and the runs of
MLflow (mlruns/, mlflow.db), DVCLive, TensorBoard and CSV loggers (Keras, Lightning).
  --source S   only runs of one source: ${SOURCES.join(' | ')}
  --limit N    at most N runs
  --json       print {"runs":[{"id","source","name","status","startedAt","endedAt","params",
               "metrics","git":{"commit","dirty"},"location"}]}; absent times and git are null,
               "location" is relative to the current folder, NaN metrics are null.
  --watch      list them again whenever a run's files change, until Ctrl-C (exit 0); on a
               terminal the screen is redrawn in place, piped each list follows the last after a
               blank line, with --json one JSON document per line

Exit: 0 listed (even none), 2 bad usage.`;

export const command: CliCommand = {
  summary: 'List runs of every source, newest first',
  usage,
  stopsOnSignal: (args) => args.includes('--watch'),
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, {
      source: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      watch: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'.`);
    const source = values.source as string | undefined;
    if (source !== undefined && !SOURCES.includes(source as RunSource)) {
      throw new UsageError(`--source must be one of ${SOURCES.join(', ')} (got '${source}').`);
    }
    const limit = values.limit === undefined ? undefined : parseCount('--limit', values.limit as string);
    const service = openRunIndex(context);
    try {
      const query = { source: source as RunSource | undefined, limit };
      const json = values.json === true;
      if (!values.watch) return await listRuns(service, query, json, context);
      return await watchFrames('runs', context, {
        json,
        // A new folder may be a new store; otherwise only the files of a run store matter.
        isRelevant: (change, relativePath) => change.directory || isRunOutputPath(relativePath),
        draw: () => listRuns(service, query, json, context, { watching: true }),
      });
    } finally {
      service.dispose();
    }
  },
};

/** One listing: the table or the JSON document on stdout, problems on stderr. */
async function listRuns(
  service: RunIndexService,
  query: { readonly source: RunSource | undefined; readonly limit: number | undefined },
  json: boolean,
  context: CliContext,
  { watching = false } = {},
): Promise<ExitCode> {
  // Listed once, the index is not held in memory (it streams); a watch keeps it between frames.
  const result = await service.listRuns(query, { holdIndex: watching });
  for (const problem of result.problems) context.logger.warn(formatProblem(relativeProblem(problem, context.cwd)));
  // A run listed despite a damaged record (garbage run.json or meta.yaml) says so, not only in mlc show.
  for (const run of result.runs) {
    const errors = (run.problems ?? []).filter((problem) => problem.severity === 'error');
    if (errors.length === 0) continue;
    const first = formatProblem(relativeProblem(errors[0]!, context.cwd));
    context.logger.warn(
      `run ${run.id}: ${first}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}; mlc show ${run.id} lists them`,
    );
  }
  if (json) {
    const runs = result.runs.map((run) => runToJson(run, context.cwd));
    // A watch prints one JSON document a line (a frame each).
    context.print(JSON.stringify({ runs }, null, watching ? undefined : 2));
  } else if (result.runs.length === 0) {
    context.print('No runs found (mlc, MLflow, DVCLive, TensorBoard or CSV logger output) here or below.');
  } else {
    context.print(formatTable(['ID', 'SOURCE', 'STATUS', 'STARTED', 'METRICS'], result.runs.map(runRow)));
  }
  return ExitCode.ok;
}

function runRow(run: RunSummary): string[] {
  const metrics = Object.entries(run.metrics)
    .slice(0, 3)
    .map(([name, value]) => `${name}=${formatNumber(value)}`)
    .join(' ');
  return [run.id, run.source, run.status, run.startedAt ? formatTime(run.startedAt) : '-', metrics];
}
