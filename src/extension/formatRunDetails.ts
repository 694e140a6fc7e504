import type { RunSummary } from '../engine/runs/model';
import { formatDuration, formatMetricValue, presentRunStatus, runDurationMs } from './presentation';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const isoTime = (epochMs: number | undefined) => (epochMs === undefined ? '—' : new Date(epochMs).toISOString());

/**
 * A run as a Markdown document (the read-only "run details" view): the same facts as
 * `mlc show RUN_ID`, with params and metrics as tables sorted by name.
 */
export function formatRunDetails(run: RunSummary, now: number): string {
  const duration = runDurationMs(run, now);
  const lines = [
    `# Run ${run.name}`,
    '',
    `| | |`,
    `|---|---|`,
    `| id | \`${escapeCell(run.id)}\` |`,
    `| source | ${run.source} |`,
    `| status | ${presentRunStatus(run.status).label} |`,
    `| started | ${isoTime(run.startedAt)} |`,
    `| ended | ${isoTime(run.endedAt)} |`,
    `| duration | ${duration === undefined ? '—' : formatDuration(duration)} |`,
  ];
  if (run.experiment) lines.push(`| experiment | ${escapeCell(run.experiment)} |`);
  if (run.git) {
    lines.push(`| git commit | ${run.git.commit ? `\`${run.git.commit}\`` : '—'}${run.git.dirty ? ' (dirty)' : ''} |`);
  }
  lines.push(`| location | \`${escapeCell(run.location)}\` |`);
  const table = (title: string, entries: Array<[string, string]>) => {
    lines.push('', `## ${title}`, '');
    if (entries.length === 0) {
      lines.push('_none_');
      return;
    }
    lines.push('| name | value |', '|---|---|');
    for (const [name, value] of entries) lines.push(`| ${escapeCell(name)} | ${escapeCell(value)} |`);
  };
  const byName = <T>(record: Readonly<Record<string, T>>) =>
    Object.entries(record).sort(([left], [right]) => left.localeCompare(right));
  table(
    'Metrics',
    byName(run.metrics).map(([name, value]) => [name, formatMetricValue(value)]),
  );
  table(
    'Params',
    byName(run.params).map(([name, value]) => [name, value === null ? 'null' : String(value)]),
  );
  if (run.tags && Object.keys(run.tags).length > 0) table('Tags', byName(run.tags));
  if (run.problems && run.problems.length > 0) {
    lines.push('', '## Problems reading this run', '');
    for (const problem of run.problems) {
      lines.push(`- ${problem.file}:${problem.line}:${problem.column} ${problem.code}: ${problem.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
