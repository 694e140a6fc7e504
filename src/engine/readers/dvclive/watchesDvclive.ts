// Kept apart from the reader so a watcher that holds no readers (the extension host's) can import
// it without the reader's parsers (and the `yaml` library) coming along.

/**
 * What the DVCLive reader watches: a folder named dvclive, or the series folder (`plots/metrics`)
 * of a DVCLive folder named otherwise (`Live(dir=...)`), as `detect` accepts both.
 */
export const watchesDvclive = (relativePath: string) => {
  const segments = relativePath.split('/');
  const plotsAt = segments.indexOf('plots');
  return segments.includes('dvclive') || (plotsAt >= 0 && segments[plotsAt + 1] === 'metrics');
};
