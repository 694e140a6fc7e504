// Files written, changed and deleted by another process (this test process, as a user's tools
// would) reach the views with no refresh command. Each kind is changed 20 times; the latency from
// the write to the view showing it is printed as p50/p95 (measured, never asserted). Everything
// written here is removed again, so suite order cannot change a result.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MlcExtensionApi, TreeItemSnapshot } from '../../src/extension/extensionApi';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { lightningMetricsCsv } from '../support/csvLoggerWriter';
import { writeMlflowFileStore } from '../support/mlflowFixtures';
import { scalarEvents, writeEventFile } from '../support/tfeventsWriter';
import { api } from './support/activatedApi';
import { eventually } from './support/eventually';

const CHANGES_PER_KIND = 20;
const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const runIds = (runs: TreeItemSnapshot[]) => runs.map((run) => run.id ?? '');

/** Applies `change(i)` and waits until `shown(i)` holds, CHANGES_PER_KIND times; prints p50/p95. */
async function measure(
  kind: string,
  change: (index: number) => void,
  shown: (index: number) => Promise<boolean>,
): Promise<void> {
  const latencies: number[] = [];
  for (let index = 0; index < CHANGES_PER_KIND; index++) {
    const started = performance.now();
    change(index);
    await eventually(
      () => shown(index),
      (seen) => seen,
      15_000,
      10,
    );
    latencies.push(performance.now() - started);
  }
  latencies.sort((left, right) => left - right);
  const at = (fraction: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(fraction * latencies.length) - 1)]!;
  console.log(
    `[mlc-it] latency ${kind}: p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${at(1).toFixed(0)} ms (${latencies.length} changes)`,
  );
}

describe('Changes made outside the editor', function () {
  this.timeout(300_000);
  let exported: MlcExtensionApi;
  const made: string[] = [];
  const folder = (name: string) => {
    const path = join(root(), name);
    made.push(path);
    return path;
  };

  before(async () => {
    exported = await api();
  });

  after(async () => {
    for (const path of made) rmSync(path, { recursive: true, force: true });
    await eventually(
      () => exported.pipelinesTree(),
      (tree) => tree.every((item) => item.label === 'mlc.yaml'),
    );
  });

  it('pipeline files: created in new nested folders, changed, then deleted with their folder', async () => {
    const pipelineOf = (index: number) => `external/p${index}/deep/mlc.yaml`;
    const labelShown = (label: string) => async () =>
      (await exported.pipelinesTree()).some((item) => item.label === label);
    folder('external');
    await measure(
      'pipeline file created (mkdir -p)',
      (index) => {
        mkdirSync(join(root(), `external/p${index}/deep`), { recursive: true });
        writeFileSync(join(root(), pipelineOf(index)), 'stages:\n  a:\n    cmd: echo a\n');
      },
      (index) => labelShown(pipelineOf(index))(),
    );
    await measure(
      'pipeline file changed',
      (index) =>
        writeFileSync(
          join(root(), pipelineOf(index)),
          `stages:\n  a:\n    cmd: echo a\n  b${index}:\n    cmd: echo b\n`,
        ),
      async (index) =>
        (await exported.pipelinesTree())
          .find((item) => item.label === pipelineOf(index))
          ?.children.some((stage) => stage.label === `b${index}`) === true,
    );
    await measure(
      'pipeline folder deleted',
      (index) => rmSync(join(root(), `external/p${index}`), { recursive: true }),
      async (index) => !(await labelShown(pipelineOf(index))()),
    );
  });

  it('params files: a changed list in params.yaml changes the stages a foreach makes', async () => {
    const pipeline = join(folder('ext-params'), 'mlc.yaml');
    mkdirSync(join(root(), 'ext-params'), { recursive: true });
    writeFileSync(join(root(), 'ext-params', 'params.yaml'), 'models: [start]\n');
    writeFileSync(
      pipeline,
      'vars:\n  - params.yaml\nstages:\n  fit:\n    foreach: ${models}\n    do:\n      cmd: echo ${item}\n',
    );
    const stages = async () =>
      (await exported.pipelinesTree())
        .find((item) => item.label === 'ext-params/mlc.yaml')
        ?.children.map((stage) => stage.label) ?? [];
    await eventually(stages, (labels) => labels.includes('fit@start'));
    await measure(
      'params file changed',
      (index) => writeFileSync(join(root(), 'ext-params', 'params.yaml'), `models: [m${index}]\n`),
      async (index) => (await stages()).includes(`fit@m${index}`),
    );
  });

  const runSources: Array<{
    kind: string;
    idPrefix: string;
    write: (index: number) => { folder: string; id: string };
  }> = [
    {
      kind: 'DVCLive run',
      idPrefix: 'run:dvclive:',
      write: (index) => {
        const live = join(folder(`ext-dvclive-${index}`), 'dvclive');
        mkdirSync(join(live, 'plots', 'metrics'), { recursive: true });
        writeFileSync(join(live, 'params.yaml'), 'lr: 0.01\n');
        writeFileSync(join(live, 'metrics.json'), JSON.stringify({ loss: 0.31, step: 2 }, null, 4) + '\n');
        writeFileSync(join(live, 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n0\t0.9\n1\t0.5\n2\t0.31\n');
        return { folder: `ext-dvclive-${index}`, id: `ext-dvclive-${index}/` };
      },
    },
    {
      kind: 'TensorBoard run',
      idPrefix: 'run:tensorboard:',
      write: (index) => {
        const logs = join(folder(`ext-tb-${index}`), 'runs', 'exp');
        mkdirSync(logs, { recursive: true });
        const events = writeEventFile(
          scalarEvents('loss', [
            { step: 0, value: 0.9 },
            { step: 1, value: 0.5 },
          ]),
        );
        writeFileSync(join(logs, `events.out.tfevents.170000000${index}.host.1.0`), events);
        return { folder: `ext-tb-${index}`, id: `ext-tb-${index}/` };
      },
    },
    {
      kind: 'CSV log run',
      idPrefix: 'run:csv:',
      write: (index) => {
        const version = join(folder(`ext-csv-${index}`), 'lightning_logs', 'version_0');
        mkdirSync(version, { recursive: true });
        writeFileSync(
          join(version, 'metrics.csv'),
          lightningMetricsCsv([
            { epoch: 0, step: 0, train_loss: 0.9 },
            { epoch: 1, step: 1, train_loss: 0.5 },
          ]),
        );
        return { folder: `ext-csv-${index}`, id: `ext-csv-${index}/` };
      },
    },
    {
      kind: 'MLflow file store run',
      idPrefix: 'run:mlflow:',
      write: (index) => {
        const mlruns = join(folder(`ext-mlflow-${index}`), 'mlruns');
        const id = (0xe000 + index).toString(16).padStart(32, '0');
        writeMlflowFileStore(nodeFileSystem, mlruns, {
          experiments: [
            {
              id: '0',
              name: 'Default',
              runs: [
                {
                  id,
                  name: `ext-${index}`,
                  status: 'FINISHED',
                  startTime: 1_700_000_000_000,
                  endTime: 1_700_000_001_000,
                  metrics: { loss: [[1_700_000_000_500, 0.5, 0]] },
                },
              ],
            },
          ],
        });
        return { folder: `ext-mlflow-${index}`, id };
      },
    },
  ];

  for (const source of runSources) {
    it(`${source.kind}s: written from outside appear in the Runs view, and go when deleted`, async () => {
      const written: Array<{ folder: string; id: string }> = [];
      const listed = async (index: number) =>
        runIds(await exported.runsTree()).some(
          (id) => id.startsWith(source.idPrefix) && id.includes(written[index]!.id),
        );
      await measure(`${source.kind} created`, (index) => written.push(source.write(index)), listed);
      await measure(
        `${source.kind} deleted`,
        (index) => rmSync(join(root(), written[index]!.folder), { recursive: true }),
        async (index) => !(await listed(index)),
      );
    });
  }

  it('an mlflow.db copied in appears in the Runs view and goes when deleted', async () => {
    const fixture = join(
      process.env.MLC_REPO_ROOT ?? join(__dirname, '../../..'),
      'test/fixtures/mlflow-wal/mlflow.db',
    );
    const target = join(folder('ext-mlflow-db'), 'mlflow.db');
    mkdirSync(join(root(), 'ext-mlflow-db'), { recursive: true });
    const mlflowRuns = async () =>
      runIds(await exported.runsTree()).filter((id) => id.startsWith('run:mlflow:')).length;
    const before = await mlflowRuns();
    await measure(
      'mlflow.db copied in, then deleted',
      (index) => (index % 2 === 0 ? copyFileSync(fixture, target) : rmSync(target)),
      async (index) => (index % 2 === 0 ? (await mlflowRuns()) > before : (await mlflowRuns()) === before),
    );
  });
});
