/**
 * The virtualised run table: only the rows in view (plus a few) exist in the DOM, in a pool of
 * row elements whose cells are updated through textContent, so 10,000 runs scroll like 40.
 * ARIA grid semantics: the grid holds focus and points at the active row with
 * aria-activedescendant; arrows, Page Up/Down, Home/End move, Space selects, Enter opens.
 */
import type { RunRow } from '../../src/protocol/runRow';
import { buildElement } from '../shared/buildElement';
import type { Column } from './runColumns';
import { type SortKey, type TableState, type TableView, toggleSort } from './tableModel';

export const ROW_HEIGHT = 22;
const OVERSCAN = 8;
const MIN_WIDTH = 40;
const GROUP_LABELS = { run: 'Run', params: 'Params', metrics: 'Metrics' } as const;

export function defaultColumnWidth(column: Column): number {
  switch (column.id) {
    case 'run:starred':
      return 32;
    case 'run:name':
      return 220;
    case 'run:started':
      return 150;
    case 'run:note':
    case 'run:id':
      return 180;
    default:
      return column.group === 'run' ? 100 : 110;
  }
}

export interface RunGridHandlers {
  onSort(sort: SortKey[]): void;
  onResize(columnId: string, width: number): void;
  onSelect(selection: string[]): void;
  onOpen(run: RunRow): void;
  onStar(run: RunRow): void;
  onActiveChange(): void;
}

interface PooledRow {
  readonly element: HTMLDivElement;
  readonly cells: HTMLDivElement[];
  /** Each cell's one text node: updating its data is cheaper than replacing textContent. */
  readonly texts: Text[];
  index: number;
  /** The data revision its cells show (a new view rewrites every row). */
  revision: number;
  /** Per column, 1 once its cell shows this row's run (the columns out of view are filled after the frame). */
  readonly written: Uint8Array;
}

/** Columns beyond the visible ones written in the frame, on each side, in pixels. */
const COLUMN_OVERSCAN_PX = 240;
/** How long after the last frame that drew rows the cells out of view are written. */
const FILL_AFTER_MS = 150;

export class RunGrid {
  private readonly scroller: HTMLDivElement;
  private readonly groupRow: HTMLDivElement;
  private readonly headerRow: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly empty: HTMLDivElement;
  private pool: PooledRow[] = [];
  private view: TableView = { rows: [], columns: [], problems: [] };
  private state: TableState | undefined;
  private now = 0;
  private widths: number[] = [];
  private activeIndex = -1;
  private anchorIndex = -1;
  private columnsKey = '';
  private frame = 0;
  /** Bumped by show(): rows drawn for an older view are rewritten. */
  private revision = 0;
  /** Each column's left edge, in pixels from the row's start. */
  private offsets: number[] = [];
  /** Rows shown with cells out of view still to write (once scrolling has stopped: requestFill). */
  private readonly pending = new Set<PooledRow>();
  private fillTimer: ReturnType<typeof setTimeout> | undefined;
  private fillRequested = false;

  constructor(
    parent: HTMLElement,
    private readonly handlers: RunGridHandlers,
  ) {
    this.groupRow = buildElement('div', {
      className: 'grid-groups',
      attributes: { role: 'row', 'aria-rowindex': '1' },
    });
    this.headerRow = buildElement('div', {
      className: 'grid-header',
      attributes: { role: 'row', 'aria-rowindex': '2' },
    });
    this.body = buildElement('div', { className: 'grid-body', attributes: { role: 'rowgroup' } });
    this.empty = buildElement('div', { className: 'empty muted', text: '' });
    this.scroller = buildElement(
      'div',
      {
        className: 'grid',
        attributes: { role: 'grid', tabindex: '0', 'aria-label': 'Runs', 'aria-multiselectable': 'true' },
      },
      [
        buildElement('div', { className: 'grid-head', attributes: { role: 'rowgroup' } }, [
          this.groupRow,
          this.headerRow,
        ]),
        this.body,
      ],
    );
    parent.append(this.scroller, this.empty);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.scroller.addEventListener('keydown', (event) => this.onKey(event));
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** The row the keyboard is on, if any. */
  activeRow(): RunRow | undefined {
    return this.view.rows[this.activeIndex];
  }

  show(view: TableView, state: TableState, now: number): void {
    const activeId = this.activeRow()?.id;
    this.view = view;
    this.state = state;
    this.now = now;
    this.activeIndex = activeId ? view.rows.findIndex((row) => row.id === activeId) : -1;
    this.revision++;
    this.widths = view.columns.map((column) => state.widths[column.id] ?? defaultColumnWidth(column));
    let left = 0;
    this.offsets = this.widths.map((width) => {
      const offset = left;
      left += width;
      return offset;
    });
    const key = `${view.columns.map((column) => column.id).join('\u0000')}|${this.widths.join(',')}|${JSON.stringify(state.sort)}`;
    if (key !== this.columnsKey) {
      this.columnsKey = key;
      this.renderHeader();
      this.pool.forEach((row) => row.element.remove());
      this.pool = [];
      this.pending.clear();
    }
    this.body.style.height = `${view.rows.length * ROW_HEIGHT}px`;
    this.scroller.setAttribute('aria-rowcount', String(view.rows.length + 2));
    this.empty.textContent = view.rows.length === 0 ? 'No run matches.' : '';
    this.renderRows();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderRows();
    });
  }

  private renderHeader(): void {
    const { columns } = this.view;
    const sort = this.state?.sort ?? [];
    this.groupRow.replaceChildren();
    let start = 0;
    while (start < columns.length) {
      let end = start;
      let width = 0;
      while (end < columns.length && columns[end]!.group === columns[start]!.group) width += this.widths[end++]!;
      const group = buildElement('div', {
        text: GROUP_LABELS[columns[start]!.group],
        attributes: { role: 'columnheader', 'aria-colspan': String(end - start) },
      });
      group.style.width = `${width}px`;
      this.groupRow.append(group);
      start = end;
    }
    this.headerRow.replaceChildren(
      ...columns.map((column, index) => {
        const position = sort.findIndex((key) => key.columnId === column.id);
        const key = sort[position];
        const marker = key ? `${key.descending ? ' ▼' : ' ▲'}${sort.length > 1 ? position + 1 : ''}` : '';
        const header = buildElement(
          'div',
          {
            className: column.numeric ? 'numeric' : '',
            text: `${column.id === 'run:starred' ? '★' : column.label}${marker}`,
            attributes: {
              role: 'columnheader',
              tabindex: '0',
              title: `${GROUP_LABELS[column.group]}: ${column.label}. Click to sort, Shift+click to add to the sort.`,
              'aria-sort': key ? (key.descending ? 'descending' : 'ascending') : 'none',
              'data-column': column.id,
            },
          },
          [this.resizeHandle(column, index)],
        );
        header.style.width = `${this.widths[index]}px`;
        const sortBy = (additive: boolean) => this.handlers.onSort(toggleSort(sort, column.id, additive));
        header.addEventListener('click', (event) => {
          if ((event.target as HTMLElement).classList.contains('resize-handle')) return;
          sortBy(event.shiftKey);
        });
        header.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            event.stopPropagation();
            sortBy(event.shiftKey);
          }
        });
        return header;
      }),
    );
  }

  private resizeHandle(column: Column, index: number): HTMLDivElement {
    const handle = buildElement('div', { className: 'resize-handle', attributes: { 'aria-hidden': 'true' } });
    handle.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      event.stopPropagation();
      const startX = event.clientX;
      const startWidth = this.widths[index]!;
      const header = handle.parentElement!;
      handle.setPointerCapture(event.pointerId);
      const move = (moveEvent: PointerEvent) => {
        header.style.width = `${Math.max(MIN_WIDTH, startWidth + moveEvent.clientX - startX)}px`;
      };
      const up = (upEvent: PointerEvent) => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        this.handlers.onResize(column.id, Math.max(MIN_WIDTH, Math.round(startWidth + upEvent.clientX - startX)));
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    return handle;
  }

  private makeRow(): PooledRow {
    const cells = this.view.columns.map((column, index) => {
      const cell = buildElement('div', {
        className: column.numeric ? 'numeric' : '',
        attributes: { role: 'gridcell' },
      });
      cell.style.width = `${this.widths[index]}px`;
      return cell;
    });
    const texts = cells.map((cell) => cell.appendChild(document.createTextNode('')));
    const element = buildElement('div', { className: 'grid-row', attributes: { role: 'row' } }, cells);
    const written = new Uint8Array(cells.length);
    const pooled: PooledRow = { element, cells, texts, index: -1, revision: -1, written };
    element.addEventListener('click', (event) => this.onRowClick(pooled.index, event));
    element.addEventListener('dblclick', () => {
      const run = this.view.rows[pooled.index];
      if (run) this.handlers.onOpen(run);
    });
    this.body.append(element);
    return pooled;
  }

  /**
   * The columns in view (with COLUMN_OVERSCAN_PX each side): their cells are written in the frame
   * that shows a row; the others, out of view (content-visibility skips their layout), once
   * scrolling has stopped (fillAfterScrolling).
   * Writing all 56 cells of each row that scrolls into view took a scroll frame from ~6 to ~12 ms
   * (median) here: every text written is a style and layout invalidation, seen or not.
   */
  private columnsInView(): { readonly from: number; readonly to: number } {
    const left = this.scroller.scrollLeft - COLUMN_OVERSCAN_PX;
    const right = this.scroller.scrollLeft + (this.scroller.clientWidth || 1600) + COLUMN_OVERSCAN_PX;
    let from = 0;
    while (from < this.offsets.length - 1 && this.offsets[from]! + this.widths[from]! <= left) from++;
    let to = from;
    while (to < this.offsets.length && this.offsets[to]! < right) to++;
    return { from, to };
  }

  private renderRows(): void {
    const { rows } = this.view;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((this.scroller.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    const selection = new Set(this.state?.selection ?? []);
    const size = this.pool.length;
    const shown = new Set<PooledRow>();
    const inView = this.columnsInView();
    // Row i always lives in slot i mod pool size, so while scrolling only the rows that came into
    // view are rewritten; the others keep their cells untouched.
    for (let index = first; index < last; index++) {
      const pooled = this.pool[index % size]!;
      shown.add(pooled);
      const run = rows[index]!;
      const isSelected = String(selection.has(run.id));
      if (pooled.element.getAttribute('aria-selected') !== isSelected)
        pooled.element.setAttribute('aria-selected', isSelected);
      pooled.element.classList.toggle('active', index === this.activeIndex);
      pooled.element.hidden = false;
      if (pooled.index !== index || pooled.element.dataset.runId !== run.id || pooled.revision !== this.revision) {
        pooled.index = index;
        pooled.revision = this.revision;
        pooled.element.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
        pooled.element.id = `run-row-${index}`;
        pooled.element.setAttribute('aria-rowindex', String(index + 3));
        pooled.element.dataset.runId = run.id;
        pooled.written.fill(0);
        this.pending.add(pooled);
      }
      for (let column = inView.from; column < inView.to; column++) {
        if (!pooled.written[column]) this.writeCell(pooled, run, column);
      }
    }
    for (const pooled of this.pool) {
      if (shown.has(pooled)) continue;
      pooled.element.hidden = true;
      pooled.index = -1;
      this.pending.delete(pooled);
    }
    if (this.pending.size > 0) this.fillAfterScrolling();
    const activeElement =
      this.activeIndex >= first && this.activeIndex < last ? this.pool[this.activeIndex % size] : undefined;
    if (activeElement) this.scroller.setAttribute('aria-activedescendant', activeElement.element.id);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  /** One cell shows its run: its text, and for the status and star columns their class and tooltip. */
  private writeCell(pooled: PooledRow, run: RunRow, columnIndex: number): void {
    const column = this.view.columns[columnIndex]!;
    const cell = pooled.cells[columnIndex]!;
    const text = column.text(run, this.now);
    const textNode = pooled.texts[columnIndex]!;
    if (textNode.data !== text) textNode.data = text;
    if (column.id === 'run:status') {
      // An alert marker (⚠ after the status, from the stylesheet) with the alerts as its tooltip.
      cell.className = `status-${run.status}${run.alerts ? ' has-alerts' : ''}`;
      cell.title = run.alerts ? `Alerts:\n${run.alerts.join('\n')}` : '';
    }
    if (column.id === 'run:starred') {
      cell.className = 'star';
      cell.title = run.annotation.starred ? 'Starred (click to unstar)' : 'Click to star';
    }
    pooled.written[columnIndex] = 1;
  }

  /**
   * Writes the cells out of view of the rows shown once no frame has drawn rows for
   * FILL_AFTER_MS (scrolling has stopped), then a row at a time while the page is idle, so that
   * every cell in the DOM shows its own run (the accessibility tree, find in page, copying). Not
   * during a scroll: each cell written is style and layout work for the next frame, seen or not;
   * writing them between frames only moved that work into the next scroll frame.
   */
  private fillAfterScrolling(): void {
    clearTimeout(this.fillTimer);
    this.fillTimer = setTimeout(() => {
      this.fillTimer = undefined;
      this.requestFill();
    }, FILL_AFTER_MS);
  }

  private requestFill(): void {
    if (this.fillRequested) return;
    this.fillRequested = true;
    const fill = (deadline: { timeRemaining(): number }) => {
      this.fillRequested = false;
      // Scrolling again: the next pause fills what is left.
      if (this.fillTimer !== undefined) return;
      for (const pooled of this.pending) {
        const run = pooled.index < 0 ? undefined : this.view.rows[pooled.index];
        if (run && pooled.revision === this.revision) {
          for (let column = 0; column < pooled.written.length; column++) {
            if (!pooled.written[column]) this.writeCell(pooled, run, column);
          }
        }
        this.pending.delete(pooled);
        if (deadline.timeRemaining() <= 1) break;
      }
      if (this.pending.size > 0) this.requestFill();
    };
    if (typeof requestIdleCallback === 'function') requestIdleCallback(fill, { timeout: 200 });
    else setTimeout(() => fill({ timeRemaining: () => 8 }), 0);
  }

  private onRowClick(index: number, event: MouseEvent): void {
    const run = this.view.rows[index];
    if (!run) return;
    const starCell = this.view.columns.findIndex((column) => column.id === 'run:starred');
    const target = event.target as HTMLElement;
    if (starCell >= 0 && target === this.pool.find((pooled) => pooled.index === index)?.cells[starCell]) {
      this.handlers.onStar(run);
      return;
    }
    this.moveTo(index, { extend: event.shiftKey, toggle: event.ctrlKey || event.metaKey });
  }

  private moveTo(index: number, how: { extend: boolean; toggle: boolean; keepSelection?: boolean }): void {
    const rows = this.view.rows;
    if (rows.length === 0) return;
    const target = Math.max(0, Math.min(rows.length - 1, index));
    this.activeIndex = target;
    const current = this.state?.selection ?? [];
    let selection: string[];
    if (how.keepSelection) {
      selection = [...current];
    } else if (how.extend && this.anchorIndex >= 0) {
      const [from, to] = this.anchorIndex < target ? [this.anchorIndex, target] : [target, this.anchorIndex];
      selection = rows.slice(from, to + 1).map((row) => row.id);
    } else if (how.toggle) {
      const id = rows[target]!.id;
      selection = current.includes(id) ? current.filter((entry) => entry !== id) : [...current, id];
      this.anchorIndex = target;
    } else {
      selection = [rows[target]!.id];
      this.anchorIndex = target;
    }
    this.scrollIntoView(target);
    this.handlers.onSelect(selection);
    this.handlers.onActiveChange();
  }

  private scrollIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const headerHeight = 2 * ROW_HEIGHT;
    const viewTop = this.scroller.scrollTop;
    const viewHeight = this.scroller.clientHeight - headerHeight;
    if (top < viewTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > viewTop + viewHeight) this.scroller.scrollTop = top + ROW_HEIGHT - viewHeight;
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target !== this.scroller) return;
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 3);
    const from = this.activeIndex < 0 ? -1 : this.activeIndex;
    const extend = event.shiftKey;
    const moves: Record<string, number> = {
      ArrowDown: from + 1,
      ArrowUp: Math.max(0, from - 1),
      PageDown: from + page,
      PageUp: from - page,
      Home: 0,
      End: this.view.rows.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      this.moveTo(moves[event.key]!, { extend, toggle: false, keepSelection: event.ctrlKey });
      return;
    }
    const run = this.activeRow();
    if (event.key === ' ' && run) {
      event.preventDefault();
      this.moveTo(this.activeIndex, { extend: false, toggle: true });
    } else if (event.key === 'Enter' && run) {
      event.preventDefault();
      this.handlers.onOpen(run);
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      this.handlers.onSelect(this.view.rows.map((row) => row.id));
    }
  }
}
