import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = resolve(__dirname, '../..');
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

const workspaces: string[] = [];
// Each test file runs in its own process: its temp workspaces go when it exits.
process.once('exit', () => {
  for (const root of workspaces) rmSync(root, { recursive: true, force: true });
});

/** A temp folder holding `files` (relative path -> text), removed when the test process exits. */
export function aWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mlc-cli-'));
  workspaces.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Runs the CLI from source (through tsx) in `cwd`, as a user would run `mlc`. */
export function runCli(
  cwd: string,
  args: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
