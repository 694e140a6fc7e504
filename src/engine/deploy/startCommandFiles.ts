import { dirname, isAbsolute, join, normalize } from 'pathe';
import type { FileSystem } from '../ports';

/**
 * The code a deploy target's start command needs on a remote host, relative to the folder it runs
 * in: each word of the command that names an existing file there brings that file's folder along
 * (`python3 src/serve.py ...` sends `src/`, so the modules it imports beside it come too); a file
 * at the top of the folder is sent alone. `{model}` and `{port}` are placeholders, absolute paths
 * and paths leaving the folder are not the workspace's to send.
 */
export function startCommandFiles(fs: FileSystem, commandRoot: string, start: string): string[] {
  const paths = new Set<string>();
  for (const word of start.split(/\s+/)) {
    const path = normalize(word.replace(/^['"]|['"]$/g, ''));
    if (path === '' || path === '.' || word.includes('{') || isAbsolute(path) || path.split('/').includes('..'))
      continue;
    if (fs.stat(join(commandRoot, path))?.kind !== 'file') continue;
    const folder = dirname(path);
    paths.add(folder === '.' ? path : folder);
  }
  return [...paths];
}
