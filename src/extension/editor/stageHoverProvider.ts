import * as vscode from 'vscode';
import { escapeMarkdown, formatDuration, formatMetricValue, keyMetrics, presentState } from '../presentation';
import type { StageInfo, WorkspaceState } from '../state/workspaceState';

/** Hover on a stage's name: its state, why it changed, and its last run's metrics. */
export class StageHoverProvider implements vscode.HoverProvider {
  constructor(private readonly state: WorkspaceState) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const keyRange = document.getWordRangeAtPosition(position, /[\w.@-]+/);
    if (!keyRange) return undefined;
    const word = document.getText(keyRange);
    const stages = this.state
      .stagesOfFile(document.uri.fsPath)
      .filter((info) => info.entry.stage.position.line - 1 === position.line)
      .filter((info) => info.entry.stage.name === word || info.entry.stage.group === word);
    if (stages.length === 0) return undefined;
    const markdown = new vscode.MarkdownString(undefined, true);
    stages.forEach((info, index) => {
      if (index > 0) markdown.appendMarkdown('\n\n---\n\n');
      appendStage(markdown, info);
    });
    return new vscode.Hover(markdown, keyRange);
  }
}

function appendStage(markdown: vscode.MarkdownString, info: StageInfo): void {
  const presentation = presentState(info.state);
  markdown.appendMarkdown(
    `**${escapeMarkdown(info.entry.address)}** — $(${presentation.icon}) ${presentation.label}\n\n`,
  );
  for (const reason of info.reasons) markdown.appendMarkdown(`- ${escape(reason)}\n`);
  const lastRun = info.lastRun;
  if (!lastRun) {
    markdown.appendMarkdown('\nNo run recorded yet.');
    return;
  }
  const duration = lastRun.durationMs === undefined ? '' : ` in ${formatDuration(lastRun.durationMs)}`;
  const ended = lastRun.endedAt === undefined ? '' : `, ${new Date(lastRun.endedAt).toLocaleString()}`;
  markdown.appendMarkdown(`\nLast run \`${escape(lastRun.runId)}\`: ${lastRun.status}${duration}${ended}\n\n`);
  const metrics = keyMetrics(lastRun.metrics, 12);
  if (metrics.length === 0) return;
  markdown.appendMarkdown('| metric | value |\n|---|---|\n');
  for (const [name, value] of metrics) markdown.appendMarkdown(`| ${escape(name)} | ${formatMetricValue(value)} |\n`);
}

const escape = (text: string) => text.replace(/[\\`*_[\]<>|]/g, '\\$&');
