import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every byte of every file under `folder`, read synchronously: the floor of any index of it. */
export function readEverything(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    total += entry.isDirectory() ? readEverything(path) : readFileSync(path).length;
  }
  return total;
}
