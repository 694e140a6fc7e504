/**
 * The plot files of one revision: the working tree, or the git commit a run was recorded at (read
 * in src/node/plots). Paths are workspace-relative, POSIX.
 */
export interface PlotRevisionFiles {
  /** Undefined when there is no such file at this revision. */
  readText(path: string): Promise<string | undefined>;
  /** Every file below `folder` (recursively, sorted); undefined when `folder` is not a folder here. */
  listFiles(folder: string): Promise<readonly string[] | undefined>;
  /** Whether a file exists (images are not read: the webview loads them itself). */
  hasFile(path: string): Promise<boolean>;
  /** Why a file that readText/hasFile did not find is absent here, for the `missing` list. */
  absentReason(path: string): string;
}

/** One revision to plot: the workspace or a run. */
export interface PlotRevisionSource {
  readonly name: string;
  readonly files: PlotRevisionFiles;
}
