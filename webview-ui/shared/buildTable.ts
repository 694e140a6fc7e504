/** A table of text cells (or nodes) under a header row; numeric columns align right. */
import { buildElement } from './buildElement';

export const buildTable = (
  header: readonly string[],
  rows: readonly (readonly (string | Node)[])[],
  numericColumns: number[] = [],
) =>
  buildElement('table', {}, [
    buildElement('thead', {}, [
      buildElement(
        'tr',
        {},
        header.map((title) => buildElement('th', { text: title, attributes: { scope: 'col' } })),
      ),
    ]),
    buildElement(
      'tbody',
      {},
      rows.map((cells) =>
        buildElement(
          'tr',
          {},
          cells.map((cell, index) =>
            buildElement('td', { className: numericColumns.includes(index) ? 'numeric' : '' }, [cell]),
          ),
        ),
      ),
    ),
  ]);
