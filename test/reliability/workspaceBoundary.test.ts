import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { test } from 'node:test';
import { runMlc, runMlcSync } from '../support/mlcCli';
import { makeTempDir } from '../support/tempDir';
import { iterations, printFigure, seededRandom, withSeed } from './support/soak';

/**
 * A property test of PRODUCT.md's "mlc deletes and writes only what it owns": pipelines, params,
 * run names and ids made of `..`, absolute paths, symlinks (to files and folders, inside and
 * outside), `~`, NUL bytes, backslashes and Unicode look-alikes go through validate, dag, status,
 * run, show, metrics and stop in a sandbox (the workspace and a sibling `outside` folder). A
 * snapshot of the sandbox before and after (paths, kinds, sizes, hashes, symlink targets) may
 * differ only in `.mlc/`, the lock files and the declared outs mlc may write.
 */

interface Entry {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly size: number;
  readonly hash?: string;
  readonly target?: string;
}

function snapshot(root: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const stat = lstatSync(path);
      const key = relative(root, path);
      if (stat.isSymbolicLink()) entries.set(key, { kind: 'symlink', size: 0, target: readlinkSync(path) });
      else if (stat.isDirectory()) {
        entries.set(key, { kind: 'directory', size: 0 });
        walk(path);
      } else if (stat.isFile()) {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        entries.set(key, { kind: 'file', size: stat.size, hash });
      } else entries.set(key, { kind: 'other', size: stat.size });
    }
  };
  walk(root);
  return entries;
}

function changes(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const changed: string[] = [];
  for (const [path, entry] of before) {
    const now = after.get(path);
    if (!now) changed.push(`deleted ${path}`);
    else if (JSON.stringify(now) !== JSON.stringify(entry)) changed.push(`changed ${path}`);
  }
  for (const path of after.keys()) if (!before.has(path)) changed.push(`created ${path}`);
  return changed;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Paths a hostile or careless pipeline may name; `{outside}`/`{ws}` become absolute paths. */
const hostilePaths = [
  '../outside/victim.txt',
  '../outside',
  '..',
  '.',
  '{outside}/victim.txt',
  '{outside}/data',
  '{ws}/absolute-inside.txt',
  '~',
  '~/victim.txt',
  'link-out-file',
  'link-out-dir',
  'link-out-dir/victim.txt',
  'link-out-dir/new.txt',
  'link-in-file',
  'link-in-dir/new.txt',
  'a\\..\\..\\outside\\victim.txt',
  'sub/../../outside/victim.txt',
  '\u2024\u2024/outside/victim.txt',
  '\uFF0E\uFF0E/outside/victim.txt',
  '..\u2215outside\u2215victim.txt',
  'x\u0000y.txt',
  '.git',
  '.git/HEAD',
  '.mlc',
  'dvc.yaml',
  'dvc.lock',
  'params.yaml',
  'notes.txt',
  'out.txt',
  'dir/out.txt',
  '${item}',
  '*',
];

const yamlString = (text: string) => JSON.stringify(text);

function generatePipeline(random: Random, sandbox: string): { text: string; outs: string[] } {
  const fill = (path: string) =>
    path.replace('{outside}', join(sandbox, 'outside')).replace('{ws}', join(sandbox, 'ws'));
  const outs: string[] = [];
  const lines = ['stages:', '  made:', '    cmd: echo made > made.txt', '    outs: [made.txt]'];
  const stageCount = 1 + Math.floor(random() * 3);
  for (let index = 0; index < stageCount; index++) {
    lines.push(`  s${index}:`, '    cmd: "true"');
    if (random() < 0.3) lines.push(`    wdir: ${yamlString(fill(pick(random, hostilePaths)))}`);
    const stageOuts = Array.from({ length: Math.floor(random() * 4) }, () => fill(pick(random, hostilePaths)));
    outs.push(...stageOuts);
    if (stageOuts.length > 0) lines.push(`    outs: [${stageOuts.map(yamlString).join(', ')}]`);
    const deps = Array.from({ length: Math.floor(random() * 3) }, () => fill(pick(random, hostilePaths)));
    if (deps.length > 0) lines.push(`    deps: [${deps.map(yamlString).join(', ')}]`);
    if (random() < 0.4) lines.push(`    params: [{${yamlString(fill(pick(random, hostilePaths)))}: [lr]}]`);
    // Plots and metrics are outputs too (FORMATS.md: same form as outs): deleted before the stage
    // runs unless persist, as DVC does, so mlc owns them as it owns outs.
    for (const section of ['plots', 'metrics']) {
      if (random() >= 0.3) continue;
      const path = fill(pick(random, hostilePaths));
      outs.push(path);
      lines.push(`    ${section}: [${yamlString(path)}]`);
    }
  }
  return { text: `${lines.join('\n')}\n`, outs };
}

/**
 * What mlc may write: its own `.mlc/` and lock files, and declared outs inside the workspace that
 * are none of the files PRODUCT.md protects. A declared out that is a symlink may be replaced
 * (the link is in the workspace); what it points to may not (the snapshot sees the outside copy
 * and never follows a link, so a write through one shows up as a change outside).
 */
function isOwnedByMlc(path: string, declaredOuts: readonly string[], workspace: string): boolean {
  const inWorkspace = path.startsWith(`ws${sep}`) ? path.slice(3) : undefined;
  if (inWorkspace === undefined) return false;
  if (inWorkspace === '.mlc' || inWorkspace.startsWith(`.mlc${sep}`)) return true;
  if (inWorkspace === 'dvc.lock' || inWorkspace === 'made.txt') return true;
  return declaredOuts.some((out) => {
    const relativeOut = isAbsolute(out) ? relative(workspace, out) : normalize(out);
    if (relativeOut === '' || relativeOut === '.' || relativeOut.startsWith('..') || relativeOut.includes('\0'))
      return false;
    if (/^(\.git|\.mlc|dvc\.yaml|dvc\.lock|params\.yaml)(\/|$)/.test(relativeOut)) return false;
    return inWorkspace === relativeOut || inWorkspace.startsWith(`${relativeOut}${sep}`);
  });
}

let sandboxes: string | undefined;

function createSandbox(): string {
  sandboxes ??= makeTempDir('mlc-sandboxes-');
  const sandbox = mkdtempSync(join(sandboxes, 'sandbox-'));
  const files: Record<string, string> = {
    'outside/victim.txt': "not mlc's\n",
    'outside/data/raw.csv': 'a,b\n1,2\n',
    'outside/params.yaml': 'lr: 9\n',
    'ws/.git/HEAD': 'ref: refs/heads/main\n',
    'ws/notes.txt': 'my notes\n',
    'ws/params.yaml': 'lr: 0.1\n',
    'ws/link-in-dir/kept.txt': 'kept\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(sandbox, path, '..'), { recursive: true });
    writeFileSync(join(sandbox, path), content);
  }
  symlinkSync('../outside/victim.txt', join(sandbox, 'ws/link-out-file'));
  symlinkSync('../outside/data', join(sandbox, 'ws/link-out-dir'));
  symlinkSync('notes.txt', join(sandbox, 'ws/link-in-file'));
  return sandbox;
}

const hostileIds = [
  '../outside',
  '../../outside/victim.txt',
  '/etc',
  '~',
  '..',
  '.',
  'a\\..\\..',
  '\u2024\u2024',
  '*',
  '%2e%2e',
];

test(
  'no pipeline, params, run name or id makes mlc touch what it does not own',
  { timeout: iterations(600_000, 3_600_000) },
  async () => {
    await withSeed('workspace boundary', async (seed) => {
      const random = seededRandom(seed);
      const pipelines = iterations(10, 60);
      let commands = 0;
      for (let iteration = 0; iteration < pipelines; iteration++) {
        const sandbox = createSandbox();
        const workspace = join(sandbox, 'ws');
        const { text, outs } = generatePipeline(random, sandbox);
        writeFileSync(join(workspace, 'dvc.yaml'), text);
        const before = snapshot(sandbox);
        const run = (args: string[]) => {
          commands++;
          return runMlcSync(workspace, args);
        };
        run(['validate', '--json']);
        run(['dag', '--json']);
        run(['status', '--json']);
        const ran = await runMlc(workspace, ['run', '--force', '--keep-going']);
        commands++;
        assert.ok(ran.code === 0 || ran.code === 1 || ran.code === 2, `mlc run: ${ran.code} ${ran.stderr}`);
        const id = pick(random, hostileIds);
        run(['show', id]);
        run(['metrics', id]);
        run(['stop', id]);
        run(['runs', '--json']);
        const after = snapshot(sandbox);
        const unowned = changes(before, after).filter(
          (change) => !isOwnedByMlc(change.split(' ')[1]!, outs, workspace),
        );
        assert.deepEqual(unowned, [], `pipeline:\n${text}\nmlc run said:\n${ran.stderr}`);
        // mlc's own files stay inside the workspace's .mlc: no run folder named after a hostile id.
        for (const path of after.keys()) assert.ok(!path.includes('outside') || before.has(path), path);
      }
      printFigure(
        `workspace boundary: ${pipelines} generated pipelines, ${commands} mlc commands, nothing outside the workspace or unowned touched`,
      );
    });
  },
);
