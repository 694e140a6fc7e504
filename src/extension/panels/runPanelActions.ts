/** How one panel opens another (a row's details, a comparison, charts) and asks for fresh runs. */
export interface RunPanelActions {
  openRun(runId: string): Promise<unknown>;
  compareRuns(runIds: readonly string[]): Promise<unknown>;
  showCharts(runIds: readonly string[]): Promise<unknown>;
  /** Reruns an mlc run's targets (trusted workspaces only). */
  rerun(runId: string): Promise<unknown>;
  /** Something changed on disk that the run list should show (a deletion). */
  runsDidChange(): void;
}
