import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { makeTempDir } from './tempDir';

/**
 * Runs the real `mlc` CLI, bundled from the current sources, in a temp workspace as a separate
 * process: the CLI tests' one harness. `runMlcSync` for a command that just answers, `runMlc` /
 * `startMlc` for the run/stop tests that exercise real process groups, signals, locks and crash
 * recovery.
 */
export const repoRoot = resolve(__dirname, '../..');

let bundledCli: string | undefined;

/**
 * The CLI bundled from the current sources with esbuild (~0.3 s once per test process), with its
 * workers beside it as in dist/. Starting the bundle takes a tenth of what `node --import tsx`
 * takes, which matters for suites that start mlc dozens of times; and it never depends on a
 * stale `npm run build`.
 */
function cliScript(): string {
  if (bundledCli) return bundledCli;
  const folder = makeTempDir('mlc-cli-bundle-');
  buildSync({
    entryPoints: {
      cli: join(repoRoot, 'src/cli/main.ts'),
      'workers/hashWorker': join(repoRoot, 'src/node/workers/hashWorker.ts'),
      'workers/processWorker': join(repoRoot, 'src/node/workers/processWorker.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: folder,
    external: ['vscode'],
    logLevel: 'warning',
  });
  bundledCli = join(folder, 'cli.js');
  return bundledCli;
}

export interface MlcResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MlcProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly done: Promise<MlcResult>;
}

/**
 * `detached: true` puts mlc in its own process group, so a test can signal the group the way a
 * terminal's Ctrl-C does (`process.kill(-pid, 'SIGINT')`).
 */
export function startMlc(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { readonly detached?: boolean } = {},
): MlcProcess {
  const child = spawn(process.execPath, [cliScript(), ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const done = new Promise<MlcResult>((resolveDone) =>
    child.on('close', (code, signal) => resolveDone({ code, signal, ...output })),
  );
  return { child, output, done };
}

export function runMlc(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<MlcResult> {
  return startMlc(cwd, args, env).done;
}

/** Runs mlc to its end, blocking: for a command that answers and exits (validate, dag, report…). */
export function runMlcSync(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): MlcResult {
  const result = spawnSync(process.execPath, [cliScript(), ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    // Bounds a hang only; the commands run here answer in well under a second.
    timeout: 60_000,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A fresh workspace folder under the temp dir holding `files` (relative path -> content), removed
 * when the test process exits.
 */
export function createWorkspace(files: Record<string, string>, prefix = 'mlc-cli-'): string {
  const folder = makeTempDir(prefix);
  writeFiles(folder, files);
  return folder;
}

export function writeFiles(folder: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, relative)), { recursive: true });
    writeFileSync(join(folder, relative), content);
  }
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  timeoutMs = 20_000,
  what = 'a condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
  }
}
