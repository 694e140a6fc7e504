import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../..');

/** package.nls.json: the text of each `%key%` of package.json. */
export function readManifestStrings(): Record<string, string> {
  return JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
}

/** package.json as written, `%key%` placeholders and all. */
export function readManifest(): unknown {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as unknown;
}

/** package.json as VS Code shows it: every `%key%` replaced by its text from package.nls.json. */
export function readLocalizedManifest(): unknown {
  const strings = readManifestStrings();
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'), (_key, value: unknown) => {
    const key = typeof value === 'string' ? /^%(.+)%$/.exec(value)?.[1] : undefined;
    return key !== undefined && key in strings ? strings[key] : value;
  }) as unknown;
}
