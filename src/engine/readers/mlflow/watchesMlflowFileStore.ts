// Kept apart from the reader so a watcher that holds no readers (the extension host's) can import
// it without the reader's parsers (and the `yaml` library) coming along.

/** What the MLflow file-store reader watches: anything inside an `mlruns` folder. */
export const watchesMlflowFileStore = (relativePath: string) => relativePath.split('/').includes('mlruns');
