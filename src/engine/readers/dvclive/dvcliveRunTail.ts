import { join } from 'pathe';
import type { Clock, FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import type { ReaderContext } from '../../runs/model';
import type { SeriesBuilder } from '../../series/seriesBuilder';
import { createSeriesTailDelivery } from '../../series/seriesTailDelivery';
import type { SeriesTail, SeriesTailUpdate } from '../../series/seriesTail';
import { createTextFileTail, type TextFileTail } from '../../series/textFileTail';
import { createDvcliveTsvParser } from './createDvcliveTsvParser';

export interface DvcliveLayout {
  /** The folder whose `**.tsv` files are the series (`plots/metrics`, or the folder itself in 0.x). */
  readonly seriesFolder: string;
  /** DVCLive 0.x kept the series directly in the folder: do not descend into sub-folders then. */
  readonly recursive: boolean;
}

/** Lists `<name>.tsv` files below the series folder: `train/loss` for `train/loss.tsv`. */
export function listDvcliveSeriesFiles(fs: FileSystem, layout: DvcliveLayout): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (folder: string, prefix: string, depth: number) => {
    let entries;
    try {
      entries = fs.readDirectory(folder);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.kind === 'file' && entry.name.endsWith('.tsv')) files.set(`${prefix}${entry.name.slice(0, -4)}`, path);
      // Symlinked folders are not followed, so a link loop cannot trap the listing.
      else if (entry.kind === 'directory' && layout.recursive && depth < 16)
        visit(path, `${prefix}${entry.name}/`, depth + 1);
    }
  };
  visit(layout.seriesFolder, '', 0);
  return files;
}

/** Follows every series of one DVCLive folder; new TSV files are picked up as they appear. */
export function createDvcliveRunTail(
  layout: DvcliveLayout,
  options: {
    readonly names?: readonly string[];
    readonly maxBytesPerFile?: number;
    /** Lets an unchanged file be polled with a stat alone (see FileCursor.settled). */
    readonly clock?: Clock;
  } = {},
): SeriesTail & { files(): readonly TextFileTail[] } {
  const wanted = options.names ? new Set(options.names) : undefined;
  const tails = new Map<string, TextFileTail>();
  const delivery = createSeriesTailDelivery();

  const poll = ({ fs, signal }: ReaderContext): SeriesTailUpdate => {
    const problems: Problem[] = [];
    const files = listDvcliveSeriesFiles(fs, layout);
    let reset = false;
    for (const [name, tail] of tails) {
      if (files.get(name) === tail.path) continue;
      tails.delete(name);
      reset = true;
    }
    const builders = new Map<string, SeriesBuilder>();
    for (const [name, path] of files) {
      if (wanted && !wanted.has(name)) continue;
      let tail = tails.get(name);
      if (!tail) {
        tail = createTextFileTail(path, () => createDvcliveTsvParser(path, name), {
          maxBytes: options.maxBytesPerFile,
          clock: options.clock,
        });
        tails.set(name, tail);
      }
      const result = tail.poll(fs, signal);
      problems.push(...result.problems);
      if (result.change === 'reset' || result.change === 'missing') reset = true;
      const builder = tail.parser.builders.get(name);
      if (builder) builders.set(name, builder);
    }
    const delivered = delivery.deliver(builders, reset);
    return { reset: delivered.reset, series: delivered.series, problems };
  };

  return {
    poll,
    watchedPaths: () => [layout.seriesFolder, ...[...tails.values()].map((tail) => tail.path)],
    files: () => [...tails.values()],
  };
}
