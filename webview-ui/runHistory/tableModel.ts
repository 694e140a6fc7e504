/**
 * The Run History table's pure state: which columns show in which order, sorting (Shift adds a
 * key), quick filters and the filter expression, deltas, and the text an export writes. The page
 * (main.ts) only draws what these functions return.
 */
import type { RunRow, RunRowSource, RunRowStatus } from '../../src/protocol/runRow';
import { compileFilter } from './compileFilter';
import type { FilterProblem } from './parseFilterExpression';
import { type CellValue, type Column, DEFAULT_HIDDEN_COLUMNS } from './runColumns';

export interface SortKey {
  readonly columnId: string;
  readonly descending: boolean;
}

/** What the panel remembers across hide/show and window reloads (webview setState). */
export interface TableState {
  /** Column ids in the order the user arranged; columns not listed follow in their natural order. */
  readonly columnOrder: readonly string[];
  readonly hidden: readonly string[];
  readonly widths: Readonly<Record<string, number>>;
  readonly sort: readonly SortKey[];
  readonly filter: string;
  /** Quick filters: empty means every status / source. */
  readonly statuses: readonly RunRowStatus[];
  readonly sources: readonly RunRowSource[];
  readonly starredOnly: boolean;
  readonly selection: readonly string[];
}

export const INITIAL_TABLE_STATE: TableState = {
  columnOrder: [],
  hidden: DEFAULT_HIDDEN_COLUMNS,
  widths: {},
  sort: [],
  filter: '',
  statuses: [],
  sources: [],
  starredOnly: false,
  selection: [],
};

/** Restores a persisted state, keeping defaults for anything missing or malformed. */
export function restoreTableState(value: unknown): TableState {
  if (typeof value !== 'object' || value === null) return INITIAL_TABLE_STATE;
  const saved = value as Partial<Record<keyof TableState, unknown>>;
  const strings = (item: unknown): string[] | undefined =>
    Array.isArray(item) && item.every((entry) => typeof entry === 'string') ? item : undefined;
  const sort = Array.isArray(saved.sort)
    ? saved.sort.filter(
        (key): key is SortKey =>
          typeof key === 'object' &&
          key !== null &&
          typeof key.columnId === 'string' &&
          typeof key.descending === 'boolean',
      )
    : undefined;
  const widths =
    typeof saved.widths === 'object' && saved.widths !== null
      ? Object.fromEntries(
          Object.entries(saved.widths).filter(([, width]) => typeof width === 'number' && Number.isFinite(width)),
        )
      : undefined;
  return {
    columnOrder: strings(saved.columnOrder) ?? INITIAL_TABLE_STATE.columnOrder,
    hidden: strings(saved.hidden) ?? INITIAL_TABLE_STATE.hidden,
    widths: (widths as Record<string, number> | undefined) ?? INITIAL_TABLE_STATE.widths,
    sort: sort ?? INITIAL_TABLE_STATE.sort,
    filter: typeof saved.filter === 'string' ? saved.filter : INITIAL_TABLE_STATE.filter,
    statuses: (strings(saved.statuses) as RunRowStatus[] | undefined) ?? INITIAL_TABLE_STATE.statuses,
    sources: (strings(saved.sources) as RunRowSource[] | undefined) ?? INITIAL_TABLE_STATE.sources,
    starredOnly: saved.starredOnly === true,
    selection: strings(saved.selection) ?? INITIAL_TABLE_STATE.selection,
  };
}

/** All columns in the user's order (hidden ones included), for the column chooser. */
export function orderedColumns(columns: readonly Column[], order: readonly string[]): Column[] {
  const rank = new Map(order.map((id, index) => [id, index]));
  const natural = new Map(columns.map((column, index) => [column.id, index]));
  return [...columns].sort((left, right) => {
    const leftRank = rank.get(left.id);
    const rightRank = rank.get(right.id);
    if (leftRank !== undefined && rightRank !== undefined) return leftRank - rightRank;
    if (leftRank !== undefined) return -1;
    if (rightRank !== undefined) return 1;
    return natural.get(left.id)! - natural.get(right.id)!;
  });
}

export function visibleColumns(columns: readonly Column[], state: TableState): Column[] {
  const hidden = new Set(state.hidden);
  return orderedColumns(columns, state.columnOrder).filter((column) => !hidden.has(column.id));
}

/** Moves a column one place left (-1) or right (+1) among all columns; returns the new order. */
export function moveColumn(
  columns: readonly Column[],
  order: readonly string[],
  columnId: string,
  offset: -1 | 1,
): string[] {
  const ids = orderedColumns(columns, order).map((column) => column.id);
  const index = ids.indexOf(columnId);
  const target = index + offset;
  if (index < 0 || target < 0 || target >= ids.length) return ids;
  [ids[index], ids[target]] = [ids[target]!, ids[index]!];
  return ids;
}

/**
 * A click on a header: without Shift, sort by that column alone (ascending, then descending, then
 * unsorted); with Shift, add it as the next key or flip (and then drop) it where it already is.
 */
export function toggleSort(sort: readonly SortKey[], columnId: string, additive: boolean): SortKey[] {
  const existing = sort.find((key) => key.columnId === columnId);
  const cycled: SortKey | undefined = !existing
    ? { columnId, descending: false }
    : existing.descending
      ? undefined
      : { columnId, descending: true };
  if (!additive) return cycled ? [cycled] : [];
  if (!existing) return [...sort, cycled!];
  return sort.flatMap((key) => (key.columnId === columnId ? (cycled ? [cycled] : []) : [key]));
}

/** Missing values last in either direction; numbers before text; text by code points, case-folded. */
function compareCells(left: CellValue, right: CellValue): number {
  const leftMissing = left === null || (typeof left === 'number' && Number.isNaN(left));
  const rightMissing = right === null || (typeof right === 'number' && Number.isNaN(right));
  if (leftMissing || rightMissing) return leftMissing === rightMissing ? 0 : leftMissing ? 1 : -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'number') return -1;
  if (typeof right === 'number') return 1;
  const leftText = String(left).toLowerCase();
  const rightText = String(right).toLowerCase();
  return leftText < rightText ? -1 : leftText > rightText ? 1 : 0;
}

/** A stable sort by the keys; rows keep their snapshot order (newest first) among equals. */
export function sortRows(
  rows: readonly RunRow[],
  sort: readonly SortKey[],
  columns: readonly Column[],
  now: number,
): RunRow[] {
  const keys = sort
    .map((key) => ({ column: columns.find((column) => column.id === key.columnId), descending: key.descending }))
    .filter((key): key is { column: Column; descending: boolean } => key.column !== undefined);
  if (keys.length === 0) return [...rows];
  // Each cell is read once, not once per comparison.
  const decorated = rows.map((row, index) => ({ row, index, values: keys.map((key) => key.column.value(row, now)) }));
  decorated.sort((left, right) => {
    for (let position = 0; position < keys.length; position++) {
      const leftValue = left.values[position]!;
      const rightValue = right.values[position]!;
      const missing = compareCells(leftValue, rightValue);
      const isMissingOrder =
        leftValue === null || rightValue === null || Number.isNaN(leftValue) || Number.isNaN(rightValue);
      const order = isMissingOrder ? missing : keys[position]!.descending ? -missing : missing;
      if (order !== 0) return order;
    }
    return left.index - right.index;
  });
  return decorated.map((entry) => entry.row);
}

export interface TableView {
  readonly rows: readonly RunRow[];
  readonly columns: readonly Column[];
  readonly problems: readonly FilterProblem[];
}

/** The rows the table shows: quick filters, then the expression (ignored while it has errors), then sort. */
export function viewTable(
  rows: readonly RunRow[],
  columns: readonly Column[],
  state: TableState,
  now: number,
): TableView {
  const filter = compileFilter(state.filter, columns, now);
  const statuses = new Set(state.statuses);
  const sources = new Set(state.sources);
  const predicate = filter.predicate;
  const kept = rows.filter(
    (row) =>
      (statuses.size === 0 || statuses.has(row.status)) &&
      (sources.size === 0 || sources.has(row.source)) &&
      (!state.starredOnly || row.annotation.starred) &&
      (!predicate || predicate(row)),
  );
  return {
    rows: sortRows(kept, state.sort, columns, now),
    columns: visibleColumns(columns, state),
    problems: filter.problems,
  };
}

/**
 * The state without selected runs that no longer exist (deleted, or gone from disk), so the
 * selection count and actions speak of real runs; the same object when nothing was dropped.
 */
export function withoutMissingSelection(state: TableState, rows: readonly RunRow[]): TableState {
  const known = new Set(rows.map((row) => row.id));
  const selection = state.selection.filter((id) => known.has(id));
  return selection.length === state.selection.length ? state : { ...state, selection };
}

/** Applies a delta: changed runs are replaced where they are, new ones go to the top. */
export function applyRunsDelta(
  rows: readonly RunRow[],
  upserted: readonly RunRow[],
  removed: readonly string[],
): RunRow[] {
  const gone = new Set(removed);
  const changed = new Map(upserted.map((row) => [row.id, row]));
  const known = new Set<string>();
  const kept: RunRow[] = [];
  for (const row of rows) {
    if (gone.has(row.id)) continue;
    known.add(row.id);
    kept.push(changed.get(row.id) ?? row);
  }
  const added = upserted.filter((row) => !known.has(row.id) && !gone.has(row.id));
  return [...added, ...kept];
}

/** The shown rows and columns as text, for CSV and Markdown export. */
export function tableAsText(
  rows: readonly RunRow[],
  columns: readonly Column[],
  now: number,
): { header: string[]; rows: string[][] } {
  return {
    header: columns.map((column) => (column.group === 'run' ? column.label : `${column.group}.${column.label}`)),
    rows: rows.map((row) => columns.map((column) => column.text(row, now))),
  };
}
