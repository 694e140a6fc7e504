/**
 * The Columns… dialog: show or hide each column and move it left or right, grouped as Run,
 * Params and Metrics. Changes apply at once (and are saved with the rest of the table state).
 */
import { buildElement } from '../shared/buildElement';
import { buildButton } from '../shared/controls/button';
import { buildCheckbox } from '../shared/controls/checkbox';
import type { Column, ColumnGroup } from './runColumns';
import { moveColumn, orderedColumns, type TableState } from './tableModel';

const GROUPS: ReadonlyArray<[ColumnGroup, string]> = [
  ['run', 'Run'],
  ['params', 'Params'],
  ['metrics', 'Metrics'],
];

export function openColumnChooser(
  parent: HTMLElement,
  columns: readonly Column[],
  initial: TableState,
  apply: (next: Partial<TableState>) => void,
): void {
  let state = initial;
  const dialog = buildElement('dialog', { attributes: { 'aria-label': 'Choose columns' } });
  const update = (next: Partial<TableState>) => {
    state = { ...state, ...next };
    apply(next);
    fill();
  };
  const fill = () => {
    const hidden = new Set(state.hidden);
    const ordered = orderedColumns(columns, state.columnOrder);
    dialog.replaceChildren(
      buildElement('h2', { text: 'Columns' }),
      ...GROUPS.flatMap(([group, title]) => {
        const inGroup = ordered.filter((column) => column.group === group);
        if (inGroup.length === 0) return [];
        const groupHidden = inGroup.every((column) => hidden.has(column.id));
        return [
          buildElement('h3', {}, [
            title,
            ' ',
            buildButton(groupHidden ? 'show all' : 'hide all', () => {
              const ids = new Set(inGroup.map((column) => column.id));
              update({
                hidden: groupHidden
                  ? state.hidden.filter((id) => !ids.has(id))
                  : [...state.hidden.filter((id) => !ids.has(id)), ...ids],
              });
            }),
          ]),
          buildElement(
            'ul',
            {},
            inGroup.map((column) => {
              // The checkbox's label is the column's name: "Show" is what checking it does.
              const checkbox = buildCheckbox(column.label, !hidden.has(column.id), (checked) =>
                update({
                  hidden: checked ? state.hidden.filter((id) => id !== column.id) : [...state.hidden, column.id],
                }),
              );
              checkbox.title = `Show ${column.label}`;
              return buildElement('li', {}, [
                checkbox,
                buildButton('←', () => update({ columnOrder: moveColumn(columns, state.columnOrder, column.id, -1) }), {
                  title: `Move ${column.label} left`,
                }),
                buildButton('→', () => update({ columnOrder: moveColumn(columns, state.columnOrder, column.id, 1) }), {
                  title: `Move ${column.label} right`,
                }),
              ]);
            }),
          ),
        ];
      }),
      buildButton('Close', () => dialog.close()),
    );
  };
  fill();
  dialog.addEventListener('close', () => dialog.remove());
  parent.append(dialog);
  dialog.showModal();
}
