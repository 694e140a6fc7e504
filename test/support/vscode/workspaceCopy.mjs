// Fresh copies of example projects for tests, so a test that runs a pipeline never writes into
// examples/. Only the files git would keep are copied (tracked, or new and not ignored), so
// outputs of an earlier demo run (.mlc/, models/, metrics/) never leak into a test.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot, vscodeRunRoot, workspacesDirOf } from './toolchain.mjs';

let copies = 0;

/**
 * Settings for specs that read the last visible webview: Metric Charts opening beside the code on
 * every run (its default) would be that webview.
 */
export const QUIET_CHARTS = { 'mlc.charts.openOnRun': false };

/**
 * Copies `examples/<name>` (or any folder inside the repository) to a new folder under the run's
 * workspaces folder (outside the repository, see workspacesDirOf) and returns its absolute path.
 * @param {string} source an example name (`churn`) or a repository-relative folder
 * @param {{ runDir?: string, settings?: Record<string, unknown> }} [options] runDir defaults to
 *   $MLC_VSCODE_RUN_DIR, else out/vscode-run (its workspaces go to the temp folder); settings go to
 *   the copy's .vscode/settings.json
 */
export function workspaceCopy(source, options = {}) {
  const target = copyFiles(source, options);
  if (options.settings) {
    mkdirSync(join(target, '.vscode'), { recursive: true });
    writeFileSync(join(target, '.vscode', 'settings.json'), `${JSON.stringify(options.settings, null, 2)}\n`);
  }
  return target;
}

function copyFiles(source, options) {
  const sourceDir = existsSync(join(repoRoot, 'examples', source))
    ? join(repoRoot, 'examples', source)
    : join(repoRoot, source);
  if (!existsSync(sourceDir)) throw new Error(`no folder ${sourceDir} to copy for a test workspace`);
  const runDir = options.runDir ?? process.env.MLC_VSCODE_RUN_DIR ?? vscodeRunRoot;
  const target = join(workspacesDirOf(runDir), `${source.split('/').at(-1)}-${process.pid}-${++copies}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '.'], {
    cwd: sourceDir,
    encoding: 'utf8',
  });
  const files = listed.status === 0 ? listed.stdout.split('\0').filter(Boolean) : [];
  if (files.length === 0) {
    // Not a git checkout (an unpacked archive): copy everything but mlc's own state.
    cpSync(sourceDir, target, { recursive: true, filter: (path) => !relative(sourceDir, path).startsWith('.mlc') });
    return target;
  }
  for (const file of files) {
    if (!existsSync(join(sourceDir, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(sourceDir, file), join(target, file));
  }
  return target;
}
