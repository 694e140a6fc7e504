import type { StageInfo } from '../state/workspaceState';
import { escapeMarkdown, formatDuration, formatKeyMetrics, presentState } from '../presentation';

/**
 * The Pipelines view's tooltip of a stage, as Markdown (with theme icons). The stage's name,
 * description, reasons and host come from the user's files, so each is escaped with escapeMarkdown:
 * VS Code turns a tree tooltip into plain text through a detached element, and a name like
 * `<img src=x onerror=…>` left raw (or only backslash-escaped, as appendText does) was parsed as HTML
 * there.
 */
export function stageTooltipMarkdown(info: Pick<StageInfo, 'entry' | 'state' | 'reasons' | 'lastRun'>): string {
  const { stage, address } = info.entry;
  const presentation = presentState(info.state);
  let markdown = `**${escapeMarkdown(address)}** — $(${presentation.icon}) ${presentation.label}\n\n`;
  if (stage.desc) markdown += `${escapeMarkdown(stage.desc)}\n\n`;
  for (const reason of info.reasons) markdown += `- ${escapeMarkdown(reason)}\n`;
  if (info.lastRun) {
    const metrics = formatKeyMetrics(info.lastRun.metrics, 4);
    markdown += `\nLast run \`${info.lastRun.runId}\`: ${info.lastRun.status}`;
    if (info.lastRun.durationMs !== undefined) markdown += ` in ${formatDuration(info.lastRun.durationMs)}`;
    if (metrics) markdown += ` · ${escapeMarkdown(metrics)}`;
    if (info.lastRun.where) markdown += ` · on ${escapeMarkdown(info.lastRun.where)}`;
  }
  return markdown;
}
