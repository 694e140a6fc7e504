/**
 * A run's colour in every panel, from its id alone, so a run keeps its colour across panels, window
 * reloads and changes of selection: one of the theme's six `--vscode-charts-*` colours (the order of
 * the `.series-N` classes in the Compare panel's CSS). Runs whose colours collide on one chart are
 * told apart by dash patterns (`dashesForRuns`).
 */
export const RUN_COLOUR_VARIABLES = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
] as const;

/** Solid, dashed, dotted: the first, second and third runs of a shared colour on one chart. */
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

/** A dash pattern per run, in the order given: solid unless an earlier run has the same colour. */
export function dashesForRuns(runIds: readonly string[]): (readonly number[])[] {
  const seen = new Map<number, number>();
  return runIds.map((runId) => {
    const colour = runColourIndex(runId);
    const earlier = seen.get(colour) ?? 0;
    seen.set(colour, earlier + 1);
    return RUN_DASHES[earlier % RUN_DASHES.length]!;
  });
}
