import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * Removes a folder when the test process exits (each test file runs in a process of its own),
 * so a test that fails half-way leaves nothing behind either.
 */
export function removeWhenProcessExits(folder: string): string {
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * The tests' one temp folder: a fresh folder under the OS temp dir. Given the test's context `t`,
 * it is removed when that test ends (`t.after`, passed or failed); without, when the test process
 * exits — right for a folder made at the top of a file or in a `before` hook (node:test's own
 * `after`, registered inside a hook, would run at once).
 */
export function makeTempDir(prefix = 'mlc-test-', t?: Pick<TestContext, 'after'>): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  if (t) t.after(() => rmSync(folder, { recursive: true, force: true }));
  else removeWhenProcessExits(folder);
  return folder;
}
