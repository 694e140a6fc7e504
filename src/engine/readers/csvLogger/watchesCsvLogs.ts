import { basename } from 'pathe';

// Kept apart from the reader so a watcher that holds no readers (the extension host's) can import
// it without the reader's parsers (and the `yaml` library) coming along.

/**
 * File names that may hold a Keras CSVLogger log: its default `training.log`, and `*.csv` files
 * whose name speaks of a training log (`history.csv`, `train_log.csv`, `epochs.csv`...). Every
 * candidate is then confirmed by its header (see `isCsvLogHeader`), so a data CSV is never
 * claimed, and a workspace full of data CSVs costs no reads beyond these names.
 */
export const KERAS_LOG_NAME = /(^training\.log$)|((log|history|train|metric|epoch|progress)[^/]*\.csv$)/i;
/** Lightning's CSVLogger writes `<...>/version_N/metrics.csv`. */
export const LIGHTNING_LOG_NAME = 'metrics.csv';

/** What the CSV reader watches: the file names its `detect` looks at. */
export const watchesCsvLogs = (relativePath: string) => {
  const name = basename(relativePath);
  return name === LIGHTNING_LOG_NAME || KERAS_LOG_NAME.test(name);
};
