import { splitQuoted } from '../readers/csvLogger/createCsvLogParser';
import { parsePythonJson } from '../params/parsePythonJson';
import { unboxPythonFloats } from '../params/formatPythonValue';
import { parseYamlTree, treeToValue } from '../pipeline/parseYamlTree';
import { type Problem, problemAt } from '../problems';

/** One row of a plot file: column (field) name -> value as read (CSV/TSV cells stay text). */
export type PlotRow = Readonly<Record<string, unknown>>;

export interface PlotRows {
  readonly rows: readonly PlotRow[];
  /** Column names in file order (CSV header, or the keys of the first object). */
  readonly columns: readonly string[];
}

const IMAGE_TYPES = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
} as const;

export type ImageMime = (typeof IMAGE_TYPES)[keyof typeof IMAGE_TYPES];

/** The image type of a plot file by its extension (what DVC treats as image plots), else undefined. */
export function imageMimeOf(path: string): ImageMime | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0) return undefined;
  return IMAGE_TYPES[path.slice(dot).toLowerCase() as keyof typeof IMAGE_TYPES];
}

/**
 * Reads a plot data file as DVC does, by extension: `.csv`/`.tsv` through a header row (or columns
 * `0`, `1`, ... with `header: false`), `.json` and `.yaml`/`.yml` (NaN and Infinity allowed, the
 * first list of objects found when the top level is a map: `{"roc": [...]}` from DVCLive's
 * sklearn plots), `.jsonl` one object per line. Never throws.
 */
export function readPlotRows(
  text: string,
  file: string,
  options: { header: boolean },
): { value: PlotRows | undefined; problems: Problem[] } {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) {
    return { value: readDelimited(text, lower.endsWith('.tsv') ? '\t' : ',', options.header), problems: [] };
  }
  if (lower.endsWith('.jsonl')) return readJsonLines(text, file);
  let value: unknown;
  if (lower.endsWith('.json')) {
    const parsed = parsePythonJson(text, file);
    if (parsed.problems.length > 0) return { value: undefined, problems: parsed.problems.map(asPlotSyntax) };
    value = unboxPythonFloats(parsed.value);
  } else if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
    const parsed = parseYamlTree(text, file);
    if (parsed.problems.length > 0) return { value: undefined, problems: parsed.problems.map(asPlotSyntax) };
    value = parsed.tree === undefined ? [] : unboxPythonFloats(treeToValue(parsed.tree));
  } else {
    const message = `${file} is not a plot file mlc can read (CSV, TSV, JSON, JSONL, YAML, or an image: PNG, SVG, JPG, GIF).`;
    return { value: undefined, problems: [problemAt(file, undefined, 'warning', 'plotFileUnsupported', message)] };
  }
  const rows = findRowList(value);
  if (rows === undefined) {
    const message = `${file} holds no list of objects to plot (DVC plots a list of rows, or the first list of rows inside a map).`;
    return { value: undefined, problems: [problemAt(file, undefined, 'error', 'plotFileSyntax', message)] };
  }
  return { value: { rows, columns: Object.keys(rows[0] ?? {}) }, problems: [] };
}

function asPlotSyntax(problem: Problem): Problem {
  return problem.code === 'nestingTooDeep' ? problem : { ...problem, code: 'plotFileSyntax' };
}

const isRow = (value: unknown): value is PlotRow =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A list whose items are objects, depth-first, as DVC's `_find_data` looks for one. */
function findRowList(value: unknown, depth = 0): PlotRow[] | undefined {
  if (Array.isArray(value)) return value.length === 0 || value.every(isRow) ? (value as PlotRow[]) : undefined;
  if (!isRow(value) || depth > 20) return undefined;
  for (const child of Object.values(value)) {
    const found = findRowList(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function readDelimited(text: string, separator: string, header: boolean): PlotRows {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const first = lines[0] === undefined ? [] : splitQuoted(lines[0], separator);
  const columns = header ? first : first.map((_, index) => String(index));
  const rows: PlotRow[] = [];
  for (const line of header ? lines.slice(1) : lines) {
    if (line === '') continue;
    const cells = splitQuoted(line, separator);
    const row: Record<string, unknown> = {};
    columns.forEach((column, index) => {
      if (index < cells.length) row[column] = cells[index];
    });
    rows.push(row);
  }
  return { rows, columns };
}

function readJsonLines(text: string, file: string): { value: PlotRows; problems: Problem[] } {
  const rows: PlotRow[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parsePythonJson(line, file);
    const value = unboxPythonFloats(parsed.value);
    if (parsed.problems.length === 0 && isRow(value)) rows.push(value);
    else {
      const message = `Line ${index + 1} of ${file} is not a JSON object; it is left out of the plot.`;
      problems.push(problemAt(file, { line: index + 1, column: 1 }, 'warning', 'plotFileSyntax', message));
    }
  });
  return { value: { rows, columns: Object.keys(rows[0] ?? {}) }, problems };
}
