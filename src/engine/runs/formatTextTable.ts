/**
 * A table of text as CSV (RFC 4180: fields with a comma, quote or line break are quoted, quotes
 * doubled) or as a GitHub Markdown table (pipes escaped, line breaks as spaces). Used by the
 * Run History export and `mlc compare --md`.
 */
type TextTable = readonly (readonly string[])[];

const csvField = (text: string) =>
  /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;

export function formatCsv(header: readonly string[], rows: TextTable): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const markdownCell = (text: string) =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');

export function formatMarkdownTable(header: readonly string[], rows: TextTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}
