import { join, relative } from 'pathe';
import { quoteShellArgument } from '../commandLine/quoteShellArgument';
import { loadParamsFile } from '../params/readParams';
import { PIPELINE_FILE_NAMES } from '../pipeline/pipelineFileNames';
import type { FileSystem } from '../ports';
import { walkWorkspace } from '../workspace/walkWorkspace';

/** A file `mlc init` would create (never one that exists). */
export interface ScaffoldFile {
  /** Workspace-relative. */
  readonly path: string;
  readonly text: string;
}

export type ScaffoldPlan =
  /** A pipeline file is already there: mlc reads it as it is, nothing is written. */
  | { readonly kind: 'pipelineExists'; readonly file: string }
  /** `scripts` are the Python entry points the stages run; empty for the starter project. */
  | { readonly kind: 'create'; readonly files: readonly ScaffoldFile[]; readonly scripts: readonly string[] };

/** Python files with a `__main__` guard are entry points; modules they import are not stages. */
const MAIN_GUARD = /^if\s+__name__\s*==\s*["']__main__["']\s*:/m;
/** Beyond this many scripts the rest are left out (a vendored library is not a pipeline). */
const MAX_STAGES = 30;
/** Usual stage order of an ML project; other scripts follow in path order. */
const USUAL_ORDER = [
  'download',
  'fetch',
  'prepare',
  'preprocess',
  'clean',
  'split',
  'featurize',
  'features',
  'train',
  'evaluate',
  'eval',
  'test',
  'export',
  'serve',
];

/**
 * What `mlc init` (and ML: Create Pipeline) writes into `root`: an `mlc.yaml` with one stage per
 * Python script that has a `__main__` guard (its `cmd`, the script as a dep, the top-level keys of
 * `params.yaml` the script names as params, the outs left for the user to add), or, in a
 * workspace with no such script, a small starter project (a training script that logs a metric
 * per epoch, its params and the pipeline) that runs and charts as it is. Never overwrites: when
 * a pipeline file exists at the root the plan is `pipelineExists`, and the starter's files are
 * only planned where nothing is.
 */
export function scaffoldPipeline(fs: FileSystem, root: string): ScaffoldPlan {
  const existing = PIPELINE_FILE_NAMES.find((name) => fs.stat(join(root, name)) !== undefined);
  if (existing) return { kind: 'pipelineExists', file: existing };
  const scripts = findEntryScripts(fs, root);
  if (scripts.length === 0) return starterProject(fs, root);
  const paramKeys = paramKeysOf(fs, root);
  const names = new Set<string>();
  const stages = scripts.map(({ path, text }) => {
    const name = uniqueName(stageNameOf(path), names);
    const params = paramKeys.filter(({ pattern }) => pattern.test(text)).map(({ key }) => key);
    return { name, path, params };
  });
  const lines = [
    '# Scaffolded by mlc init from the Python scripts of this workspace. Add the files each stage',
    '# writes under outs: (and the data it reads under deps:), so mlc knows what to rerun; add',
    '# metrics: and plots: files to see them in the Runs view and the charts. Reference: README.md.',
    'stages:',
  ];
  for (const stage of stages) {
    lines.push(`  ${stage.name}:`, `    cmd: ${yamlScalar(`python3 ${quoteShellArgument(stage.path)}`)}`);
    lines.push('    deps:', `      - ${yamlScalar(stage.path)}`);
    if (stage.params.length > 0) lines.push('    params:', ...stage.params.map((key) => `      - ${yamlScalar(key)}`));
    lines.push('    # outs:', '    #   - models/model.pkl');
  }
  lines.push(
    '',
    '# Alerts fire while a run is live; examples (uncomment and name your metrics):',
    '# alerts:',
    '#   - { metric: loss, when: nan }',
    '#   - { stalled: 10m }',
  );
  return {
    kind: 'create',
    files: [{ path: 'mlc.yaml', text: `${lines.join('\n')}\n` }],
    scripts: scripts.map((script) => script.path),
  };
}

function findEntryScripts(fs: FileSystem, root: string): { path: string; text: string }[] {
  const scripts: { path: string; text: string }[] = [];
  walkWorkspace(fs, root, (folder, entries) => {
    for (const entry of entries) {
      if (
        entry.kind !== 'file' ||
        !entry.name.endsWith('.py') ||
        /^(test_.*|.*_test|setup|conftest)\.py$/.test(entry.name)
      )
        continue;
      const path = join(folder, entry.name);
      let text: string;
      try {
        text = fs.readText(path);
      } catch {
        continue;
      }
      if (MAIN_GUARD.test(text)) scripts.push({ path: relative(root, path), text });
    }
    return scripts.length < MAX_STAGES;
  });
  const rank = (path: string) => {
    const stem = stageNameOf(path);
    const index = USUAL_ORDER.findIndex((usual) => stem === usual || stem.startsWith(usual));
    return index === -1 ? USUAL_ORDER.length : index;
  };
  return scripts
    .slice(0, MAX_STAGES)
    .sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The keys of params.yaml (dotted, down to the leaves) with the ways a script names them: the
 * last part quoted (`params["lr"]`) or as a command-line flag (`--lr`, `--val-fraction` for
 * `val_fraction`). A params file that cannot be read offers none.
 */
function paramKeysOf(fs: FileSystem, root: string): { key: string; pattern: RegExp }[] {
  const { value } = loadParamsFile(fs, join(root, 'params.yaml'));
  const keys: { key: string; pattern: RegExp }[] = [];
  const visit = (node: Readonly<Record<string, unknown>>, prefix: string) => {
    for (const [name, child] of Object.entries(node)) {
      const key = `${prefix}${name}`;
      if (child !== null && typeof child === 'object' && !Array.isArray(child) && !('pythonFloat' in child)) {
        visit(child as Record<string, unknown>, `${key}.`);
        continue;
      }
      const names = [...new Set([name, name.replace(/_/g, '-')])].map(escapeRegExp).join('|');
      keys.push({ key, pattern: new RegExp(`["'](?:${escapeRegExp(name)})["']|--(?:${names})\\b`) });
    }
  };
  if (value) visit(value, '');
  return keys;
}

function stageNameOf(path: string): string {
  const stem = (path.split('/').at(-1) ?? path).replace(/\.py$/, '');
  const name = stem.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z]+/, '');
  return name === '' ? 'stage' : name;
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${name}_${suffix}`;
  taken.add(candidate);
  return candidate;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A plain YAML scalar when it reads back as the same string, else a JSON (double-quoted) one. */
function yamlScalar(text: string): string {
  return /^[A-Za-z0-9_./][A-Za-z0-9_./ -]*$/.test(text) && !text.endsWith(' ') && !/ #|: /.test(text)
    ? text
    : JSON.stringify(text);
}

const STARTER_PARAMS = `# Inputs of the starter pipeline: change one and the train stage is out of date.
train:
  lr: 0.1
  epochs: 40
`;

const STARTER_PIPELINE = `# Scaffolded by mlc init: one stage that trains a tiny model and logs a metric per epoch.
# Run it with "ML: Run Pipeline" (or mlc run), then open its charts from the Runs view.
stages:
  train:
    cmd: python3 train.py --lr \${train.lr} --epochs \${train.epochs}
    deps:
      - train.py
    params:
      - train
    outs:
      - model.json
    metrics:
      - metrics.json
    plots:
      - logs/train.csv:
          x: epoch
          y: [loss]

alerts:
  - { metric: loss, when: nan }
  - { stalled: 5m }
`;

const STARTER_SCRIPT = `"""Starter stage of mlc init: fits y = 3x + 1 by gradient descent, standard library only.

Each epoch appends one row to logs/train.csv (flushed, so mlc charts it live); the final loss goes
to metrics.json and the weights to model.json. Replace it with your own training code.
"""

import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    points = [(x / 10.0, 3.0 * x / 10.0 + 1.0) for x in range(20)]
    weight, bias = 0.0, 0.0
    os.makedirs("logs", exist_ok=True)
    with open("logs/train.csv", "w") as log:
        log.write("epoch,loss\\n")
        for epoch in range(1, args.epochs + 1):
            grad_w = sum(2 * (weight * x + bias - y) * x for x, y in points) / len(points)
            grad_b = sum(2 * (weight * x + bias - y) for x, y in points) / len(points)
            weight -= args.lr * grad_w
            bias -= args.lr * grad_b
            loss = sum((weight * x + bias - y) ** 2 for x, y in points) / len(points)
            log.write("%d,%.6f\\n" % (epoch, loss))
            log.flush()
    with open("model.json", "w") as handle:
        json.dump({"weight": weight, "bias": bias}, handle)
    with open("metrics.json", "w") as handle:
        json.dump({"loss": round(loss, 6)}, handle)
    print("train: loss %.6f after %d epochs" % (loss, args.epochs))


if __name__ == "__main__":
    main()
`;

/** The starter project of an empty workspace: only the files that are not there yet. */
function starterProject(fs: FileSystem, root: string): ScaffoldPlan {
  // A params.yaml of the user's own is left alone, and the stage runs on the script's defaults.
  const ownParams = fs.stat(join(root, 'params.yaml')) !== undefined;
  const pipeline = ownParams
    ? STARTER_PIPELINE.replace(' --lr ${train.lr} --epochs ${train.epochs}', '').replace(
        '    params:\n      - train\n',
        '',
      )
    : STARTER_PIPELINE;
  const files = [
    { path: 'mlc.yaml', text: pipeline },
    { path: 'params.yaml', text: STARTER_PARAMS },
    { path: 'train.py', text: STARTER_SCRIPT },
  ].filter((file) => fs.stat(join(root, file.path)) === undefined);
  return { kind: 'create', files, scripts: [] };
}

/**
 * Writes the planned files, each only if nothing is at its path by then (another program may
 * have created one meanwhile): returns the paths written.
 */
export function writeScaffold(fs: FileSystem, root: string, files: readonly ScaffoldFile[]): string[] {
  const written: string[] = [];
  for (const file of files) {
    const path = join(root, file.path);
    if (fs.stat(path) !== undefined) continue;
    fs.writeFileAtomic(path, file.text);
    written.push(file.path);
  }
  return written;
}
