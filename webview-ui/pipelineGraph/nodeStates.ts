/**
 * How each stage state reads and which theme colour draws it: the same labels and theme colours as
 * the Pipelines view (`presentState` in src/extension/presentation.ts), as CSS variables, since a
 * webview sees theme colours as `--vscode-<id with dots as dashes>`.
 */
import type { GraphNodeState } from '../../src/protocol/pipelineGraph';

export interface NodeStatePresentation {
  readonly label: string;
  /** A CSS colour: a theme variable with a fallback for themes that lack it. */
  readonly color: string;
}

export const NODE_STATE_PRESENTATION: Readonly<Record<GraphNodeState, NodeStatePresentation>> = {
  'up-to-date': { label: 'up to date', color: 'var(--vscode-testing-iconPassed, #388a34)' },
  changed: { label: 'changed', color: 'var(--vscode-list-warningForeground, #b89500)' },
  'never-run': { label: 'never run', color: 'var(--vscode-descriptionForeground, #717171)' },
  frozen: { label: 'frozen', color: 'var(--vscode-charts-purple, #b180d7)' },
  queued: { label: 'queued', color: 'var(--vscode-charts-orange, #d18616)' },
  running: { label: 'running', color: 'var(--vscode-progressBar-background, #0e70c0)' },
  failed: { label: 'failed', color: 'var(--vscode-testing-iconFailed, #f14c4c)' },
  unknown: { label: 'checking…', color: 'var(--vscode-disabledForeground, #888888)' },
};
