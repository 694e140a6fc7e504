import { basename } from 'pathe';

// Kept apart from the reader so a watcher that holds no readers (the extension host's) can import
// it without the reader's parsers (and the `yaml` library) coming along.

/** A basename marks an event file when it contains `tfevents` (TensorBoard's io_wrapper rule). */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

/** What the TensorBoard reader watches: event files, by the name its `detect` looks for. */
export const watchesTensorboardEvents = (relativePath: string) => isEventFileName(basename(relativePath));
