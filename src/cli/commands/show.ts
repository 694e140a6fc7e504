import { relative } from 'node:path';
import type { Problem } from '../../engine/problems';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import type { RunRecord } from '../../engine/runStore/runRecord';
import type { RunSummary } from '../../engine/runs/model';
import { isOwnerAlive } from '../../node/runStore/isOwnerAlive';
import { parseCommandArgs } from '../argv';
import { terminalText } from '../terminalText';
import { formatProblem, problemsJson, relativeProblem } from '../problemOutput';
import { type CliCommand, type CliContext, ExitCode, UsageError } from '../cliContext';
import { openRunIndex, requireRun, runToJson } from '../runLookup';
import { formatNumber, formatTable, formatTime } from '../tableOutput';

const usage = `Usage: mlc show RUN_ID [--json]

Shows one run: its summary, params, latest metrics and the problems met while reading it; for mlc's
own runs also each stage's result. RUN_ID is an id from mlc runs; a unique prefix is enough.
  --json   print the mlc runs --json fields plus "experiment", "tags", "problems"
           ([{"file","line","column","severity","code","message"}]) and, for mlc runs, "stages"
           ([{"address","status","startedAt","endedAt","durationMs","exitCode","failure"}]).

Exit: 0 shown, 2 unknown run id (with near matches) or bad usage.`;

export const command: CliCommand = {
  summary: 'Show one run: params, metrics, problems, stages',
  usage,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one RUN_ID (see mlc runs).');
    const runId = positionals[0]!;
    const service = openRunIndex(context);
    try {
      const [lookup] = await service.lookupRuns([runId], { holdIndex: false });
      const { run } = requireRun(lookup!, runId);
      const record = run.source === 'mlc' ? readRunRecord(context.fs, run.location, isOwnerAlive) : undefined;
      // The reader already attaches run.json's problems to the run; re-reading it finds them again.
      const problems = uniqueProblems([...(run.problems ?? []), ...(record?.problems ?? [])]);
      if (values.json) {
        context.print(JSON.stringify(showJson(run, record?.value, problems, context.cwd), null, 2));
      } else {
        context.print(showText(run, record?.value, problems, context));
      }
      return ExitCode.ok;
    } finally {
      service.dispose();
    }
  },
};

function showJson(run: RunSummary, record: RunRecord | undefined, problems: readonly Problem[], cwd: string) {
  return {
    ...runToJson(run, cwd),
    experiment: run.experiment ?? null,
    tags: run.tags ?? {},
    problems: problemsJson(problems, cwd),
    ...(record
      ? {
          stages: record.stages.map((stage) => ({
            address: stage.address,
            status: stage.status,
            startedAt: stage.startedAt ?? null,
            endedAt: stage.endedAt ?? null,
            durationMs: stage.durationMs ?? null,
            exitCode: stage.exitCode ?? null,
            failure: stage.failure ?? null,
          })),
        }
      : {}),
  };
}

function showText(
  run: RunSummary,
  record: RunRecord | undefined,
  problems: readonly Problem[],
  context: CliContext,
): string {
  const lines: string[] = [];
  const field = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`${`${label}:`.padEnd(11)}${terminalText(value)}`);
  };
  field('Run', run.id);
  field('Name', run.name);
  field('Source', run.source);
  field('Status', run.status);
  field('Started', run.startedAt ? formatTime(run.startedAt) : undefined);
  field('Ended', run.endedAt ? formatTime(run.endedAt) : undefined);
  field('Experiment', run.experiment);
  field('Git', run.git?.commit ? `${run.git.commit.slice(0, 12)}${run.git.dirty ? ' (dirty)' : ''}` : undefined);
  field('Location', relative(context.cwd, run.location) || '.');
  const section = (title: string, header: string[], rows: string[][]) => {
    if (rows.length === 0) return;
    lines.push('', title, formatTable(header, rows));
  };
  section(
    'Params',
    ['NAME', 'VALUE'],
    Object.entries(run.params).map(([name, value]) => [name, String(value)]),
  );
  section(
    'Metrics',
    ['NAME', 'VALUE'],
    Object.entries(run.metrics).map(([name, value]) => [name, formatNumber(value)]),
  );
  section(
    'Tags',
    ['NAME', 'VALUE'],
    Object.entries(run.tags ?? {}).map(([name, value]) => [name, value]),
  );
  if (record) {
    section(
      'Stages',
      ['STAGE', 'STATUS', 'DURATION', 'DETAIL'],
      record.stages.map((stage) => [
        stage.address,
        stage.status,
        stage.durationMs === undefined ? '-' : `${(stage.durationMs / 1000).toFixed(1)} s`,
        stage.failure?.message ?? stage.skipReason ?? '',
      ]),
    );
  }
  if (problems.length > 0) {
    lines.push('', 'Problems');
    for (const problem of problems) lines.push(formatProblem(relativeProblem(problem, context.cwd)));
  }
  return lines.join('\n');
}

function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.code}\0${problem.file}\0${problem.line}\0${problem.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
