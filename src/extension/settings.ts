import * as vscode from 'vscode';
import { SettingId } from './ids';

/** The `mlc.*` settings, typed and with their defaults, read in one place. */
export interface Settings {
  /** Stages run at once; 0 in the setting means one per core, resolved by the caller. */
  readonly parallelJobs: number;
  readonly defaultRunner: string;
  readonly ignore: readonly string[];
  readonly maxRuns: number;
  readonly keyMetrics: number;
  /** Open Metric Charts beside the code when a run starts from VS Code. */
  readonly chartsOpenOnRun: boolean;
}

/** `scope` is the folder (or file) the settings apply to; without one, any resource's value. */
export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const configuration = vscode.workspace.getConfiguration(SettingId.section, scope ?? null);
  const nonNegative = (value: number | undefined, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
  const ignore = configuration.get<unknown>(SettingId.ignore);
  return {
    parallelJobs: nonNegative(configuration.get<number>(SettingId.parallelJobs), 0),
    defaultRunner: configuration.get<string>(SettingId.defaultRunner)?.trim() || 'local',
    ignore: Array.isArray(ignore) ? ignore.filter((entry): entry is string => typeof entry === 'string') : [],
    maxRuns: Math.max(1, nonNegative(configuration.get<number>(SettingId.maxRuns), 200)),
    keyMetrics: nonNegative(configuration.get<number>(SettingId.keyMetrics), 3),
    chartsOpenOnRun: configuration.get<boolean>(SettingId.chartsOpenOnRun) !== false,
  };
}

/** Fires when any `mlc.*` setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(SettingId.section)) listener();
  });
}
