import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import type { FileSystem } from '../ports';
import { flattenNumbers } from './flattenNumbers';

/**
 * Reads a stage's `metrics:` file (JSON, YAML or TOML, chosen by extension; YAML otherwise, as
 * DVC does) into flattened numeric values. Undefined when the file is missing or unreadable: a
 * stage whose metrics file is half-written must not fail the run's record.
 */
export function readSummaryMetrics(fs: FileSystem, path: string): Record<string, number> | undefined {
  let text: string;
  try {
    text = fs.readText(path);
  } catch {
    return undefined;
  }
  try {
    const lower = path.toLowerCase();
    const data: unknown = lower.endsWith('.json')
      ? JSON.parse(text)
      : lower.endsWith('.toml')
        ? parseToml(text)
        : parseYaml(text);
    return flattenNumbers(data);
  } catch {
    return undefined;
  }
}
