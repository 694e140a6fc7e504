import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The read-only real-world fixtures beside the clone (`../shared/fixtures/real-world`). Tests fail
 * with a clear message when they are missing, never skip.
 */
export function realWorldFixtures(): string {
  const root = resolve(__dirname, '../../../shared/fixtures/real-world');
  if (!existsSync(root)) {
    throw new Error(`Real-world fixtures missing at ${root}; CI must provide ../shared beside the clone.`);
  }
  return root;
}

/** Every real dvc.lock file, sorted. */
export function realDvcLockFiles(): string[] {
  const output = execFileSync('find', [realWorldFixtures(), '-name', 'dvc.lock'], { encoding: 'utf8' });
  return output.trim().split('\n').sort();
}
