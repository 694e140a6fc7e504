/**
 * A run's colour in every panel, from its id alone, so a run keeps its colour across panels, window
 * reloads and changes of selection: one of the theme's six `--vscode-charts-*` colours (the order of
 * the `.series-N` classes in the Compare panel's CSS), plus a dash pattern that tells apart runs
 * whose colours collide on a chart.
 */
export const RUN_COLOUR_VARIABLES = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
] as const;

/** Solid, dashed, dotted: the second and third runs of a shared colour are told apart by these. */
export const RUN_DASHES: readonly (readonly number[])[] = [[], [6, 3], [2, 3]];

/** FNV-1a over the id's UTF-16 code units: fast, and spreads similar ids (run-1, run-2) apart. */
function hashRunId(runId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < runId.length; index++) {
    hash ^= runId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Index into RUN_COLOUR_VARIABLES (and the `.series-N` classes). */
export function runColourIndex(runId: string): number {
  return hashRunId(runId) % RUN_COLOUR_VARIABLES.length;
}

export function runDash(runId: string): readonly number[] {
  return RUN_DASHES[Math.floor(hashRunId(runId) / RUN_COLOUR_VARIABLES.length) % RUN_DASHES.length]!;
}
