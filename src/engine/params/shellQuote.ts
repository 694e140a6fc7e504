/**
 * Python's `shlex.quote`, which DVC uses for strings unpacked from a dict into `cmd` and MLflow
 * uses for MLproject parameters: the text is returned as is when it holds only safe characters,
 * otherwise it is wrapped in single quotes (an inner `'` becomes `'"'"'`).
 */
const unsafe = /[^\w@%+=:,./-]/;

export function shellQuote(text: string): string {
  if (text === '') return "''";
  if (!unsafe.test(text)) return text;
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}
