import { parseMetricNumber } from '../series/parseMetricNumber';
import { type Problem, problemAt } from '../problems';
import type {
  BarGroup,
  ConfusionMatrix,
  PlotImage,
  PlotSeries,
  PlotView,
  PlotViewBase,
} from '../../protocol/plotViews';
import type { PlotRevisionSource } from './ports';
import { imageMimeOf, type PlotRows, readPlotRows } from './readPlotRows';
import type { PlotSource, PlotSpec } from './resolvePlotSpecs';

const DATA_EXTENSIONS = ['.csv', '.tsv', '.json', '.jsonl', '.yaml', '.yml'];
const isPlotFile = (path: string) =>
  imageMimeOf(path) !== undefined || DATA_EXTENSIONS.some((extension) => path.toLowerCase().endsWith(extension));

/** The name DVC gives the row index when a plot has no x (`step`). */
export const INDEX_X = 'step';

/**
 * Reads the plot files of every spec at every revision (the workspace, runs) and makes the
 * renderer input of each plot, as `dvc plots show` / `dvc plots diff` do: a folder id becomes one
 * plot per file inside it (union over the revisions), images become references, data files become
 * lines, confusion matrices or bars by template. A revision without a file is listed in `missing`;
 * unreadable files and absent columns are located problems. Never throws.
 */
export async function collectPlotViews(
  specs: readonly PlotSpec[],
  revisions: readonly PlotRevisionSource[],
): Promise<{ value: PlotView[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const reported = new Set<string>();
  const report = (problem: Problem) => {
    const key = `${problem.file}\0${problem.line}\0${problem.code}\0${problem.message}`;
    if (reported.has(key)) return;
    reported.add(key);
    problems.push(problem);
  };
  const reader = createRowCache(revisions, report);
  const views: PlotView[] = [];
  for (const spec of specs) {
    for (const expanded of await expandFolders(spec, revisions)) {
      views.push(await buildView(expanded, revisions, reader, report));
    }
  }
  return { value: views, problems };
}

/** A folder id becomes one spec per plot file below it (files of every revision). */
async function expandFolders(spec: PlotSpec, revisions: readonly PlotRevisionSource[]): Promise<PlotSpec[]> {
  const source = spec.sources[0];
  if (!spec.mayBeFolder || source === undefined) return [spec];
  const files = new Set<string>();
  let isFolder = false;
  for (const revision of revisions) {
    const listed = await revision.files.listFiles(source.file);
    if (listed === undefined) continue;
    isFolder = true;
    for (const file of listed) if (isPlotFile(file)) files.add(file);
  }
  if (!isFolder) return [spec];
  return [...files].sort().map((file) => ({
    ...spec,
    id: file,
    title: file,
    sources: [{ ...source, file }],
    mayBeFolder: false,
  }));
}

interface RowReader {
  /** Undefined when the revision has no such file or it cannot be read (reported). */
  rows(revision: PlotRevisionSource, file: string, header: boolean): Promise<PlotRows | undefined>;
}

function createRowCache(revisions: readonly PlotRevisionSource[], report: (problem: Problem) => void): RowReader {
  const cache = new Map<string, Promise<PlotRows | undefined>>();
  const single = revisions.length === 1;
  return {
    rows(revision, file, header) {
      const key = `${revision.name}\0${file}\0${header}`;
      let entry = cache.get(key);
      if (!entry) {
        entry = (async () => {
          const text = await revision.files.readText(file);
          if (text === undefined) return undefined;
          // With several revisions a problem names the one it was found in.
          const located = single ? file : `${file} (${revision.name})`;
          const parsed = readPlotRows(text, file, { header });
          for (const problem of parsed.problems) report({ ...problem, file: located });
          return parsed.value;
        })();
        cache.set(key, entry);
      }
      return entry;
    },
  };
}

async function buildView(
  spec: PlotSpec,
  revisions: readonly PlotRevisionSource[],
  reader: RowReader,
  report: (problem: Problem) => void,
): Promise<PlotView> {
  const missing: { revision: string; file: string; reason: string }[] = [];
  const base = (xLabel: string, yLabel: string): PlotViewBase => ({
    id: spec.id,
    title: spec.title,
    xLabel: spec.xLabel ?? xLabel,
    yLabel: spec.yLabel ?? yLabel,
    missing,
  });
  if (spec.sources.length > 0 && spec.sources.every((source) => imageMimeOf(source.file) !== undefined)) {
    const images: PlotImage[] = [];
    for (const revision of revisions) {
      for (const source of spec.sources) {
        if (await revision.files.hasFile(source.file)) {
          images.push({ revision: revision.name, path: source.file, mime: imageMimeOf(source.file)! });
        } else
          missing.push({
            revision: revision.name,
            file: source.file,
            reason: revision.files.absentReason(source.file),
          });
      }
    }
    return { ...base('', ''), kind: 'image', images };
  }

  // Every (revision, source) pair with its rows and resolved columns.
  const tables: { revision: string; source: PlotSource; rows: PlotRows; xValues: unknown[]; yColumns: string[] }[] = [];
  const xNames = new Set<string>();
  const yNames = new Set<string>();
  for (const revision of revisions) {
    for (const source of spec.sources) {
      const rows = await reader.rows(revision, source.file, spec.header);
      if (rows === undefined) {
        const readable = await revision.files.hasFile(source.file);
        missing.push({
          revision: revision.name,
          file: source.file,
          reason: readable ? 'unreadable (see problems)' : revision.files.absentReason(source.file),
        });
        continue;
      }
      const columnMissing = (file: string, column: string) =>
        report(
          problemAt(
            spec.pipelineFile,
            spec.position,
            'warning',
            'plotColumnMissing',
            `The plot '${spec.id}' uses column '${column}', which ${file} does not have at ${revision.name} (columns: ${rows.columns.join(', ') || 'none'}).`,
          ),
        );
      const yColumns = source.y ?? (rows.columns.length > 0 ? [rows.columns[rows.columns.length - 1]!] : []);
      const presentY = yColumns.filter((column) => {
        const present = rows.columns.includes(column) || rows.rows.some((row) => column in row);
        if (!present) columnMissing(source.file, column);
        return present;
      });
      let xValues: unknown[];
      if (source.x === undefined) {
        xValues = rows.rows.map((_, index) => index);
        xNames.add(INDEX_X);
      } else if (typeof source.x === 'string') {
        const column = source.x;
        if (!rows.columns.includes(column) && !rows.rows.some((row) => column in row)) {
          columnMissing(source.file, column);
          continue;
        }
        xValues = rows.rows.map((row) => row[column]);
        xNames.add(column);
      } else {
        const xSource = source.x;
        const xRows = await reader.rows(revision, xSource.file, spec.header);
        if (xRows === undefined) {
          missing.push({
            revision: revision.name,
            file: xSource.file,
            reason: revision.files.absentReason(xSource.file),
          });
          continue;
        }
        // DVC joins a column of another file by row index.
        xValues = rows.rows.map((_, index) => xRows.rows[index]?.[xSource.column]);
        xNames.add(xSource.column);
      }
      for (const column of presentY) yNames.add(column);
      tables.push({ revision: revision.name, source, rows, xValues, yColumns: presentY });
    }
  }
  const xLabel = [...xNames].join(', ');
  const yLabel = [...yNames].join(', ');

  if (spec.template === 'confusion' || spec.template === 'confusion_normalized') {
    const normalized = spec.template === 'confusion_normalized';
    const matrices: ConfusionMatrix[] = [];
    for (const table of tables) {
      const yColumn = table.yColumns[0];
      if (yColumn === undefined) continue;
      const pairs = table.rows.rows.map(
        (row, index) => [labelOf(table.xValues[index]), labelOf(row[yColumn])] as const,
      );
      matrices.push({ revision: table.revision, file: table.source.file, ...confusionMatrix(pairs, normalized) });
    }
    return { ...base(xLabel, yLabel), kind: 'confusion', template: spec.template, matrices };
  }

  if (spec.template === 'bar_horizontal' || spec.template === 'bar_horizontal_sorted') {
    const groups: BarGroup[] = [];
    for (const table of tables) {
      const yColumn = table.yColumns[0];
      if (yColumn === undefined) continue;
      const bars = table.rows.rows.map((row, index) => ({
        category: labelOf(row[yColumn]),
        value: numberOf(table.xValues[index]),
      }));
      if (spec.template === 'bar_horizontal_sorted')
        bars.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
      groups.push({ revision: table.revision, file: table.source.file, bars });
    }
    return { ...base(xLabel, yLabel), kind: 'bar', template: spec.template, groups };
  }

  const series: PlotSeries[] = [];
  for (const table of tables) {
    for (const field of table.yColumns) {
      const x: (number | null)[] = [];
      const y: (number | null)[] = [];
      table.rows.rows.forEach((row, index) => {
        const xValue = numberOf(table.xValues[index]);
        if (xValue === null) return; // a point without a place on the x axis cannot be drawn
        x.push(xValue);
        y.push(numberOf(row[field]));
      });
      series.push({
        revision: table.revision,
        file: table.source.file,
        field,
        x,
        y,
        ...(spec.template === 'smooth' ? { smoothed: movingAverage(y) } : {}),
      });
    }
  }
  return { ...base(xLabel, yLabel), kind: 'line', template: spec.template, series };
}

/** A finite number from a JSON number or a cell's text (`nan`, `inf`, text: null). */
function numberOf(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? parseMetricNumber(value) : undefined;
  return number !== undefined && Number.isFinite(number) ? number : null;
}

/** Class labels as DVC's template shows them: the value's text (`3` from CSV and from JSON alike). */
function labelOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Counts per (actual, predicted); classes are the union of both, in numeric order when all are numbers. */
export function confusionMatrix(
  pairs: readonly (readonly [string, string])[],
  normalized: boolean,
): Pick<ConfusionMatrix, 'classes' | 'counts' | 'normalized'> {
  const labels = new Set<string>();
  for (const [actual, predicted] of pairs) labels.add(actual).add(predicted);
  const numeric = [...labels].every((label) => label.trim() !== '' && Number.isFinite(Number(label)));
  const classes = [...labels].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const indexOf = new Map(classes.map((label, index) => [label, index]));
  const counts = classes.map(() => classes.map(() => 0));
  for (const [actual, predicted] of pairs) counts[indexOf.get(actual)!]![indexOf.get(predicted)!]!++;
  if (!normalized) return { classes, counts };
  const normalizedCounts = counts.map((row) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return row.map((count) => (total === 0 ? 0 : count / total));
  });
  return { classes, counts, normalized: normalizedCounts };
}

/** The `smooth` template's line: a centred moving average over a tenth of the points (nulls skipped). */
export function movingAverage(values: readonly (number | null)[]): (number | null)[] {
  const half = Math.floor(Math.max(1, Math.round(values.length / 10)) / 2);
  return values.map((_, index) => {
    let sum = 0;
    let count = 0;
    for (let other = Math.max(0, index - half); other <= Math.min(values.length - 1, index + half); other++) {
      const value = values[other];
      if (value !== null && value !== undefined) {
        sum += value;
        count++;
      }
    }
    return count === 0 ? null : sum / count;
  });
}
