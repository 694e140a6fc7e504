/**
 * Turns a parsed filter into a predicate over rows, resolving each column name against the
 * columns the table has (exact name, then `params.`/`metrics.` prefixed, then case-insensitive).
 * Unknown names are located problems with a suggestion.
 */
import type { RunRow } from '../../src/protocol/runRow';
import { type FilterNode, type FilterProblem, parseFilterExpression } from './parseFilterExpression';
import type { CellValue, Column } from './runColumns';

export type RowPredicate = (row: RunRow) => boolean;

export interface CompiledFilter {
  /** Undefined when every row matches (empty expression) or the expression has problems. */
  readonly predicate: RowPredicate | undefined;
  readonly problems: readonly FilterProblem[];
}

function resolveColumn(name: string, columns: readonly Column[]): Column | undefined {
  const runColumn = columns.find((column) => column.group === 'run' && column.label === name);
  if (runColumn) return runColumn;
  if (name === 'tag') return columns.find((column) => column.id === 'run:tags');
  const exact =
    columns.find((column) => column.group === 'metrics' && column.label === name) ??
    columns.find((column) => column.group === 'params' && column.label === name);
  if (exact) return exact;
  const prefixed = /^(params?|metrics?)\.(.+)$/.exec(name);
  if (prefixed) {
    const group = prefixed[1]!.startsWith('param') ? 'params' : 'metrics';
    const inGroup = columns.find((column) => column.group === group && column.label === prefixed[2]);
    if (inGroup) return inGroup;
  }
  const lower = name.toLowerCase();
  return columns.find((column) => column.label.toLowerCase() === lower);
}

function suggestion(name: string, columns: readonly Column[]): string {
  const lower = name.toLowerCase();
  const near = columns
    .map((column) => column.label)
    .filter((label) => label.toLowerCase().includes(lower) || lower.includes(label.toLowerCase()))
    .slice(0, 3);
  return near.length > 0 ? ` Did you mean ${near.map((label) => `"${label}"`).join(', ')}?` : '';
}

const asText = (value: CellValue) => (value === null ? '' : String(value).toLowerCase());

function compareValues(cell: CellValue, operator: string, expected: string | number, column: Column): boolean {
  if (operator === '~' || operator === '!~') {
    const contains = cell !== null && asText(cell).includes(String(expected).toLowerCase());
    return operator === '~' ? contains : !contains;
  }
  if (cell === null) return operator === '!=';
  let target: string | number = expected;
  if (column.id === 'run:started' && typeof expected === 'string') {
    const parsed = Date.parse(expected);
    if (Number.isFinite(parsed)) target = parsed;
  }
  if (typeof cell === 'number' && typeof target === 'number') {
    switch (operator) {
      case '==':
        return cell === target;
      case '!=':
        return cell !== target;
      case '>':
        return cell > target;
      case '>=':
        return cell >= target;
      case '<':
        return cell < target;
      default:
        return cell <= target;
    }
  }
  const left = asText(cell);
  const right = String(target).toLowerCase();
  switch (operator) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    default:
      return left <= right;
  }
}

function matchesText(row: RunRow, needle: string): boolean {
  const lower = needle.toLowerCase();
  return (
    row.name.toLowerCase().includes(lower) ||
    row.id.toLowerCase().includes(lower) ||
    row.source === lower ||
    row.status === lower ||
    (row.experiment?.toLowerCase().includes(lower) ?? false) ||
    row.annotation.note.toLowerCase().includes(lower) ||
    row.annotation.tags.some((tag) => tag.toLowerCase().includes(lower))
  );
}

/** Parses and compiles `source`; `now` is the time durations of running runs count to. */
export function compileFilter(source: string, columns: readonly Column[], now: number): CompiledFilter {
  const parsed = parseFilterExpression(source);
  if (!parsed.value) return { predicate: undefined, problems: parsed.problems };
  const problems: FilterProblem[] = [];
  const build = (node: FilterNode): RowPredicate => {
    switch (node.kind) {
      case 'and': {
        const left = build(node.left);
        const right = build(node.right);
        return (row) => left(row) && right(row);
      }
      case 'or': {
        const left = build(node.left);
        const right = build(node.right);
        return (row) => left(row) || right(row);
      }
      case 'not': {
        const operand = build(node.operand);
        return (row) => !operand(row);
      }
      case 'text':
        return (row) => matchesText(row, node.text);
      case 'compare': {
        const column = resolveColumn(node.field, columns);
        if (!column) {
          problems.push({
            ...node.fieldRange,
            message: `No column is named "${node.field}".${suggestion(node.field, columns)}`,
          });
          return () => false;
        }
        return (row) => compareValues(column.value(row, now), node.operator, node.value, column);
      }
    }
  };
  const predicate = build(parsed.value);
  return problems.length > 0 ? { predicate: undefined, problems } : { predicate, problems };
}
