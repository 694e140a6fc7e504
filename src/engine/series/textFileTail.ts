import type { Clock, FileSystem } from '../ports';
import { type Problem, problemAt } from '../problems';
import { checkFileCursor, createFileCursor, type FileCursor } from './fileCursor';
import { readCompleteLineBytes, readCompleteLines } from './readCompleteLines';
import type { SeriesBuilder } from './seriesBuilder';

/** Parses blocks of complete lines of one metrics text file into series, keeping its own state. */
export interface LineTableParser {
  /**
   * `text` holds complete lines; `firstLine` is the 1-based line number of its first line.
   * Returns the number of lines read (so callers need no second pass to count them).
   */
  feed(text: string, firstLine: number): number;
  /**
   * `feed` for the undecoded UTF-8 bytes of complete lines (a BOM at their start is not text, as
   * TextDecoder reads it), when the parser reads numbers from the bytes without decoding them:
   * the same result as `feed` of the decoded text.
   */
  feedBytes?(bytes: Uint8Array, firstLine: number): number;
  readonly builders: ReadonlyMap<string, SeriesBuilder>;
  /** Problems found since the last call (each reported once). */
  takeProblems(): Problem[];
}

const NEWLINE = 0x0a;

export type TextFileChange = 'unchanged' | 'appended' | 'reset' | 'missing';

export interface TextFileTail {
  readonly path: string;
  /** Reads what was appended; on a replaced file starts a new parser and reads from 0 ('reset'). */
  poll(fs: FileSystem, signal?: AbortSignal): { readonly change: TextFileChange; readonly problems: Problem[] };
  readonly parser: LineTableParser;
  /** True when the file currently ends in the middle of a line. */
  readonly endsTorn: boolean;
  readonly mtimeMs: number | undefined;
}

/**
 * Follows one line-oriented metrics file (TSV/CSV): remembers the offset after the last complete
 * line, re-reads nothing, leaves a torn last line for the next poll, and starts over when the file
 * shrank, changed inode or had its earlier bytes rewritten (see fileCursor.ts).
 */
export function createTextFileTail(
  path: string,
  createParser: () => LineTableParser,
  options: {
    readonly maxBytes?: number;
    /** Lets an unchanged file be polled with a stat alone (see FileCursor.settled); else its bytes are checked. */
    readonly clock?: Clock;
  } = {},
): TextFileTail {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  let parser = createParser();
  let cursor: FileCursor | undefined;
  let lineNumber = 1;
  let endsTorn = false;

  const readFrom = (fs: FileSystem, start: number, size: number, problems: Problem[], signal?: AbortSignal) => {
    let from = start;
    if (size - from > maxBytes) {
      // Never read a runaway file whole: keep its newest part, starting at a line boundary.
      from = size - maxBytes;
      problems.push(
        problemAt(
          path,
          undefined,
          'warning',
          'fileTooLarge',
          `The file is ${size} bytes; only its last ${maxBytes} bytes were read, so its earlier points are not shown. Log less often, or start a new file per run.`,
        ),
      );
    }
    let skipFirstPartialLine = from !== start;
    const feedBytes = parser.feedBytes?.bind(parser);
    const result = feedBytes
      ? readCompleteLineBytes(
          fs,
          path,
          from,
          size,
          (bytes) => {
            let block = bytes;
            if (skipFirstPartialLine) {
              block = block.subarray(block.indexOf(NEWLINE) + 1);
              skipFirstPartialLine = false;
            }
            lineNumber += feedBytes(block, lineNumber);
          },
          { signal },
        )
      : readCompleteLines(
          fs,
          path,
          from,
          size,
          (text) => {
            let block = text;
            if (skipFirstPartialLine) {
              block = block.slice(block.indexOf('\n') + 1);
              skipFirstPartialLine = false;
            }
            lineNumber += parser.feed(block, lineNumber);
          },
          { signal },
        );
    if (result.skippedLongLines > 0) {
      problems.push(
        problemAt(
          path,
          undefined,
          'warning',
          'lineTooLong',
          `${result.skippedLongLines} line(s) longer than 1 MiB were skipped.`,
        ),
      );
    }
    endsTorn = result.hasTornTail;
    return result.endOffset;
  };

  return {
    path,
    get parser() {
      return parser;
    },
    get endsTorn() {
      return endsTorn;
    },
    get mtimeMs() {
      return cursor?.mtimeMs;
    },
    poll(fs, signal) {
      const problems: Problem[] = [];
      let change: TextFileChange;
      let from: number;
      // Before any stat of this poll: the racy rule's moment for the cursor it leaves.
      const takenAtMs = options.clock?.now();
      if (!cursor) {
        change = 'appended';
        from = 0;
      } else {
        const result = checkFileCursor(fs, cursor, takenAtMs);
        const checked = result.change;
        if (checked === 'unchanged') {
          cursor = result.cursor ?? cursor;
          return { change: 'unchanged', problems };
        }
        if (checked === 'missing') {
          cursor = undefined;
          parser = createParser();
          lineNumber = 1;
          return { change: 'missing', problems };
        }
        change = checked === 'replaced' ? 'reset' : 'appended';
        from = checked === 'replaced' ? 0 : cursor.offset;
      }
      if (change === 'reset') {
        parser = createParser();
        lineNumber = 1;
      }
      let stat;
      try {
        stat = fs.stat(path);
      } catch {
        stat = undefined;
      }
      if (!stat || stat.kind !== 'file') return { change: 'missing', problems };
      try {
        const endOffset = readFrom(fs, from, stat.size, problems, signal);
        cursor = createFileCursor(fs, path, endOffset, stat, takenAtMs);
      } catch (error) {
        problems.push(problemAt(path, undefined, 'error', 'fileUnreadable', `Cannot read the file: ${String(error)}`));
      }
      problems.push(...parser.takeProblems());
      return { change, problems };
    },
  };
}
